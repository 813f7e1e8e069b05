/* The statically linked libgit2 (BATON_GIT_LINKED, see git.c and the Makefile) refers
 * to GSSAPI for Kerberos ("Negotiate") authentication of HTTP remotes. Debian has no
 * static Kerberos library, and baton never reaches a remote through libgit2 (it reads
 * local repositories; `baton sync` runs the git program). These definitions stand in:
 * every call fails with GSS_S_FAILURE, which libgit2 takes as "Negotiate is not
 * available" and never offers it. Nothing else calls them. */
#include <stddef.h>
#include <stdint.h>

#ifdef BATON_GIT_LINKED
#define GSS_S_FAILURE (13u << 16)

/* gss_OID_desc: the object identifier libgit2 passes back to gss_import_name */
struct baton_gss_oid {
	uint32_t length;
	void *elements;
};
static struct baton_gss_oid hostbased;
void *GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

#define FAIL(name, ...)                         \
	uint32_t name(uint32_t *minor, __VA_ARGS__); \
	uint32_t name(uint32_t *minor, __VA_ARGS__)  \
	{                                           \
		if (minor)                          \
			*minor = 0;                 \
		return GSS_S_FAILURE;               \
	}
FAIL(gss_delete_sec_context, void *context, void *output_token)
FAIL(gss_release_buffer, void *buffer)
FAIL(gss_release_oid_set, void *set)
FAIL(gss_release_name, void *name)
FAIL(gss_import_name, const void *input_name, const void *name_type, void *output_name)
FAIL(gss_indicate_mechs, void *mech_set)
FAIL(gss_display_status, uint32_t status_value, int status_type, const void *mech_type, uint32_t *message_context,
     void *status_string)
FAIL(gss_init_sec_context, const void *cred, void *context, const void *target, const void *mech, uint32_t flags,
     uint32_t time_req, const void *bindings, const void *input_token, void *actual_mech, void *output_token,
     uint32_t *ret_flags, uint32_t *time_rec)
#else
typedef int baton_gssapi_absent; /* a translation unit must declare something */
#endif
