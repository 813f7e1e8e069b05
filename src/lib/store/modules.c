#include "store/modules.h"

extern const struct baton_index_module baton_session_index;

const struct baton_index_module *const baton_index_modules[] = {
	&baton_session_index,
	NULL,
};
