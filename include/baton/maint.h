/* Maintenance operations: index rebuild / verify, doctor, config. */
#ifndef BATON_MAINT_H
#define BATON_MAINT_H

#include "baton/op.h"

extern const struct baton_op baton_maint_ops[];

#endif
