"""The pages of the cases app, one module per group: lists and the child page (``pages``), the
intake, duty and distribution work (``intake``), and the changes an advisor or the team leader
makes, one form per page and each working without JavaScript (``children``, ``case_work``,
``investigations``, ``plans``, ``journal``). Shared pieces are in ``common``."""
