"""Every workflow action on a case (``cases.workflow.TRANSITIONS``), by stage group; callers import from here.

- ``runner``: ``perform`` (the one entry point), ``apply_action`` (also history replay), ``available_actions``,
  ``may_act_on`` and the table of handlers;
- ``acceptance`` (受理, 核实, 立案), ``disposal`` (派遣, 处置, 督办), ``requests`` (退回, 延期, 挂起, 作废 and their
  decisions), ``closure`` (核查, 结案, 回访): the handlers, each module's own table of them;
- ``params`` (parameter parsing) and ``notices`` (notifications queued for after the commit), shared by the handlers.
"""

from cases.services.transitions.params import text_param
from cases.services.transitions.runner import HANDLERS, apply_action, available_actions, may_act_on, perform

__all__ = ["HANDLERS", "apply_action", "available_actions", "may_act_on", "perform", "text_param"]
