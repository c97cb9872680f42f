# Fuzz targets (clang, -DVTL_FUZZ=ON). Two helpers, so every target is built and run the
# same way:
#
# vtl_fuzz_instrumented(<lib> [EXTRA src...]) makes <lib>_fuzz: <lib>'s sources compiled
#   again with coverage instrumentation (fuzzer-no-link), linking what <lib> links, so the
#   fuzzer sees inside the module without instrumenting the binaries that use it.
#
# vtl_add_fuzz(NAME n SOURCE f.c LIBS ... SEEDS dir SECONDS s [ARGS ...] [ENVIRONMENT ...])
#   builds fuzz_<n> and registers ctest `fuzz.<n>`: a bounded run (-max_total_time=s). The
#   first corpus directory is a scratch one in the build tree, because libFuzzer writes new
#   inputs there; the seed corpus in the repository comes second and is only read. A crash
#   leaves its input in the build directory (docs/testing.md).
function(vtl_fuzz_instrumented lib)
  cmake_parse_arguments(F "" "" "EXTRA" ${ARGN})
  get_target_property(_src ${lib} SOURCES)
  get_target_property(_dir ${lib} SOURCE_DIR)
  get_target_property(_libs ${lib} LINK_LIBRARIES)
  set(_abs)
  foreach(s ${_src})
    if(IS_ABSOLUTE ${s})
      list(APPEND _abs ${s})
    else()
      list(APPEND _abs ${_dir}/${s})
    endif()
  endforeach()
  add_library(${lib}_fuzz STATIC ${_abs} ${F_EXTRA})
  target_compile_options(${lib}_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                         -fno-sanitize-recover=undefined)
  target_include_directories(${lib}_fuzz PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${lib}_fuzz PUBLIC ${_libs})
endfunction()

function(vtl_add_fuzz)
  cmake_parse_arguments(F "" "NAME;SOURCE;SEEDS;SECONDS" "LIBS;ARGS;ENVIRONMENT" ${ARGN})
  add_executable(fuzz_${F_NAME} ${F_SOURCE})
  target_compile_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined
                         -fno-sanitize-recover=undefined)
  target_link_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_${F_NAME} PRIVATE ${F_LIBS})
  set(_work ${CMAKE_CURRENT_BINARY_DIR}/work_${F_NAME})
  file(MAKE_DIRECTORY ${_work})
  math(EXPR _timeout "${F_SECONDS} * 2 + 60")
  vtl_add_test(NAME fuzz.${F_NAME}
               COMMAND fuzz_${F_NAME} -max_total_time=${F_SECONDS} -rss_limit_mb=2048 ${F_ARGS}
                       -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/ ${_work} ${F_SEEDS}
               LABEL fuzz TIMEOUT ${_timeout} ENVIRONMENT ${F_ENVIRONMENT})
endfunction()
