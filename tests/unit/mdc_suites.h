/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mdcommd unit tests: suites shared between the two source files. */
#ifndef OBAN_TESTS_MDC_SUITES_H
#define OBAN_TESTS_MDC_SUITES_H

#include <CUnit/CUnit.h>

extern CU_TestInfo mdc_table_tests[];
extern CU_TestInfo mdc_wire_tests[];
extern CU_TestInfo mdc_mct_tests[];
extern CU_TestInfo mdc_dbg_tests[];

#endif
