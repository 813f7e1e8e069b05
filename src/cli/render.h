/* Human renderings of operation results (the --json output is the result as is). */
#ifndef BATON_CLI_RENDER_H
#define BATON_CLI_RENDER_H

#include "baton/cjson.h"
#include <stdio.h>

#include "baton/op.h"

/* Print result for people. Operations without a renderer print indented JSON. */
void baton_render(FILE *out, const struct baton_op *op, const cJSON *result);

/* The journal's renderers (render_journal.c). */
void baton_render_journal_log(FILE *out, const cJSON *r);
void baton_render_journal_checkpoint(FILE *out, const cJSON *r);
void baton_render_journal_pause(FILE *out, const cJSON *r);
void baton_render_journal_close(FILE *out, const cJSON *r);
void baton_render_journal_view(FILE *out, const cJSON *r);
void baton_render_journal_list(FILE *out, const cJSON *r);
/* render_mcp.c */
void baton_render_mcp_install(FILE *out, const cJSON *r);
void baton_render_mcp_uninstall(FILE *out, const cJSON *r);
void baton_render_mcp_status(FILE *out, const cJSON *r);
/* The run ledger (render_runs.c). */
void baton_render_thread_line(FILE *out, const cJSON *thread);
void baton_render_runs(FILE *out, const cJSON *result);
void baton_render_run_show(FILE *out, const cJSON *result);
void baton_render_fix(FILE *out, const cJSON *result);
void baton_render_run_linked(FILE *out, const cJSON *result);
void baton_render_restore(FILE *out, const cJSON *result);
/* render_hooks.c */
void baton_render_hooks_install(FILE *out, const cJSON *r);
void baton_render_hooks_uninstall(FILE *out, const cJSON *r);
void baton_render_hooks_status(FILE *out, const cJSON *r);

/* The handoff renderers (render_handoff.c). */
void baton_render_handoff(FILE *out, const cJSON *r);
void baton_render_handoff_show(FILE *out, const cJSON *r);
void baton_render_commits(FILE *out, const cJSON *r);
void baton_render_current(FILE *out, const cJSON *r);
/* The transcript operations (render_transcripts.c). */
void baton_render_ingest(FILE *out, const cJSON *r);
void baton_render_messages(FILE *out, const cJSON *r);
void baton_render_search(FILE *out, const cJSON *r);
void baton_render_stats(FILE *out, const cJSON *r);

#endif
