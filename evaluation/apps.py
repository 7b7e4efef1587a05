from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """Evaluation and steering figures straight from the data (KORA's final evaluation, 2017, ch. 2-4):
    daily snapshots of every case's place on the ladder, placed child-years (årsbørn), movements,
    costs, placement breakdowns, the complaints register, SDQ well-being scores, comparisons of
    district groups; pages for management and team leaders, exports as CSV and XLSX."""

    name = "evaluation"
    verbose_name = "Evaluering og styring"

    def ready(self) -> None:
        from evaluation import child_page

        child_page.register()
