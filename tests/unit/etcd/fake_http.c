#include "tests/unit/etcd/fake_http.h"

#include "tests/testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAKE_MAX 64

struct fake_http {
	int lfd;
	char url[64];
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	char *reply[FAKE_MAX];
	size_t reply_len[FAKE_MAX];
	size_t n_reply, next_reply;
	char *req[FAKE_MAX];
	size_t n_req;
};

/* Reads head and Content-Length body; returns the body (malloc) or NULL. */
static char *fake__read_request(int fd)
{
	char buf[65536];
	size_t n = 0;
	char *body = NULL;
	while (n < sizeof buf - 1) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 2000) <= 0)
			return NULL;
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return NULL;
		n += (size_t)r;
		buf[n] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		const char *cl = strcasestr(buf, "Content-Length:");
		if (!end || !cl)
			continue;
		size_t want = (size_t)atol(cl + 15), have = n - (size_t)(end + 4 - buf);
		if (have >= want) {
			body = strndup(end + 4, want);
			break;
		}
	}
	return body;
}

static void *fake__main(void *arg)
{
	struct fake_http *f = arg;
	for (;;) {
		struct pollfd p = {f->lfd, POLLIN, 0};
		int pr = poll(&p, 1, 50);
		pthread_mutex_lock(&f->lock);
		bool stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (stop)
			break;
		if (pr <= 0)
			continue;
		int fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		char *body = fake__read_request(fd);
		pthread_mutex_lock(&f->lock);
		if (f->n_req < FAKE_MAX)
			f->req[f->n_req++] = body ? body : strdup("");
		else
			free(body);
		char *rep = NULL;
		size_t len = 0;
		if (f->next_reply < f->n_reply) {
			rep = f->reply[f->next_reply];
			len = f->reply_len[f->next_reply++];
		}
		pthread_mutex_unlock(&f->lock);
		if (rep && write(fd, rep, len) < 0)
			perror("fake_http write");
		close(fd);                   /* no queued reply: close without a word */
	}
	return NULL;
}

struct fake_http *fake_http_start(void)
{
	struct fake_http *f = calloc(1, sizeof *f);
	CHECK(f);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(f->lfd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	CHECK_EQ(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	CHECK_EQ(listen(f->lfd, 16), 0);
	CHECK_EQ(getsockname(f->lfd, (struct sockaddr *)&a, &al), 0);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	pthread_mutex_init(&f->lock, NULL);
	CHECK_EQ(pthread_create(&f->thread, NULL, fake__main, f), 0);
	return f;
}

void fake_http_stop(struct fake_http *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	for (size_t i = 0; i < f->n_reply; i++)
		free(f->reply[i]);
	for (size_t i = 0; i < f->n_req; i++)
		free(f->req[i]);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

const char *fake_http_url(struct fake_http *f)
{
	return f->url;
}

void fake_http_push_raw(struct fake_http *f, const char *bytes, size_t len)
{
	pthread_mutex_lock(&f->lock);
	CHECK(f->n_reply < FAKE_MAX);
	f->reply[f->n_reply] = malloc(len + 1);
	CHECK(f->reply[f->n_reply]);
	memcpy(f->reply[f->n_reply], bytes, len);
	f->reply_len[f->n_reply++] = len;
	pthread_mutex_unlock(&f->lock);
}

void fake_http_push(struct fake_http *f, int status, const char *body)
{
	char head[256];
	size_t bl = strlen(body);
	int hl = snprintf(head, sizeof head,
			  "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			  "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, bl);
	char *all = malloc((size_t)hl + bl);
	CHECK(all);
	memcpy(all, head, (size_t)hl);
	memcpy(all + hl, body, bl);
	fake_http_push_raw(f, all, (size_t)hl + bl);
	free(all);
}

char *fake_http_request(struct fake_http *f, size_t i)
{
	pthread_mutex_lock(&f->lock);
	char *r = i < f->n_req ? strdup(f->req[i]) : NULL;
	pthread_mutex_unlock(&f->lock);
	return r;
}

size_t fake_http_requests(struct fake_http *f)
{
	pthread_mutex_lock(&f->lock);
	size_t n = f->n_req;
	pthread_mutex_unlock(&f->lock);
	return n;
}
