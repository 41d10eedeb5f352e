/*
 * Commands not written yet: each says so and fails. Removed as they arrive.
 */
#include "hiroba.h"

#define LATER(fn) int fn(struct cli *cli, int argc, char **argv) \
	{ return cli_error(HB_EXIT_FAIL, "%s: not implemented yet", cli->cmd->name); }
LATER(cmd_event_add)
LATER(cmd_event_edit)
LATER(cmd_event_cancel)
LATER(cmd_event_done)
LATER(cmd_events)
LATER(cmd_place_add)
LATER(cmd_place_edit)
LATER(cmd_place_remove)
LATER(cmd_places)
LATER(cmd_volunteer_add)
LATER(cmd_volunteer_edit)
LATER(cmd_volunteer_close)
LATER(cmd_volunteers)
LATER(cmd_meeting_call)
LATER(cmd_meeting_reply)
LATER(cmd_meetings)
