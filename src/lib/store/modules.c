#include "store/modules.h"

extern const struct baton_index_module baton_session_index;
extern const struct baton_index_module baton_journal_index;
extern const struct baton_index_module baton_ingest_index;
extern const struct baton_index_module baton_run_index;
extern const struct baton_index_module baton_hook_index;

const struct baton_index_module *const baton_index_modules[] = {
	&baton_session_index,
	&baton_journal_index,
	&baton_ingest_index,
	&baton_run_index,
	&baton_hook_index,
	NULL,
};
