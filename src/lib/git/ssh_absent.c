/* The statically linked libgit2 (BATON_GIT_LINKED, see git.c and the Makefile) has an
 * SSH transport built on libssh2, and libssh2 on OpenSSL: ~3 MB of code and 0.35 MB of
 * tables, and OpenSSL's constructor runs CPUID at every start. baton never reaches a
 * remote through libgit2 (it reads local repositories; `baton sync` runs the git
 * program), so these definitions stand in for libgit2's transports/ssh.c, exactly as
 * libgit2 itself defines them when built without SSH. Linked ahead of the archives,
 * they keep the linker from pulling that member, and with it libssh2 and OpenSSL. */
#ifdef BATON_GIT_LINKED
#include <git2/errors.h>
#include <git2/sys/transport.h>

static int ssh_absent(void)
{
	git_error_set_str(GIT_ERROR_INVALID, "cannot create SSH transport: baton's libgit2 has no SSH support");
	return -1;
}

int git_transport_ssh_global_init(void);
int git_transport_ssh_global_init(void)
{
	return 0;
}

int git_smart_subtransport_ssh(git_smart_subtransport **out, git_transport *owner, void *param)
{
	(void)owner;
	(void)param;
	if (out)
		*out = NULL;
	return ssh_absent();
}

int git_transport_ssh_with_paths(git_transport **out, git_remote *owner, void *payload)
{
	(void)owner;
	(void)payload;
	if (out)
		*out = NULL;
	return ssh_absent();
}
#else
typedef int baton_ssh_absent; /* a translation unit must declare something */
#endif
