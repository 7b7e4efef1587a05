"""The pages of the cases app: lists and the child page (``pages``), the changes an advisor makes
on a case (``actions``), and the intake, duty and distribution work (``intake``)."""
