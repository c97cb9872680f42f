/* cmds.h - the entry point of every clusterctl command (the table is in main.c). Each
 * parses its own arguments with cli_parse(), talks to etcd or the manager through
 * conn.h and returns the process exit code (cli.h). */
#ifndef VTL_CLIENT_CMDS_H
#define VTL_CLIENT_CMDS_H

#include "client/cli.h"

#define CLI_CMD(fn) int fn(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)

CLI_CMD(cli_cmd_status);
CLI_CMD(cli_cmd_nodes);
CLI_CMD(cli_cmd_node_drain);
CLI_CMD(cli_cmd_node_undrain);
CLI_CMD(cli_cmd_libraries);
CLI_CMD(cli_cmd_library_create);
CLI_CMD(cli_cmd_library_delete);
CLI_CMD(cli_cmd_library_show);
CLI_CMD(cli_cmd_cartridges_add);
CLI_CMD(cli_cmd_cartridges_remove);
CLI_CMD(cli_cmd_events);

/* The libraries.list entry as one row of the libraries table (cmd_library.c), shared by
 * `libraries` and `library create`. */
struct cli_table;
void cli_library_row(struct cli_table *t, const json_t *lib);
extern const char *const cli_library_heads[];
extern const size_t cli_library_ncols;

#endif
