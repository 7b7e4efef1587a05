import pytest


@pytest.fixture
def shipped_data(transactional_db):
    """The catalog and rule sets the migrations load. A test on ``transactional_db`` runs after
    others have flushed the tables, so it loads them again (idempotent)."""
    from cases.models import LegalBasis
    from followups.models import Rule, RuleMilestone, RulePhase, RuleSet
    from followups.presets import load_rule_sets
    from measures.catalog import load_default_catalog
    from measures.models import LadderStep, MeasureType, UnitCost

    load_default_catalog(
        LegalBasis=LegalBasis, LadderStep=LadderStep, MeasureType=MeasureType, UnitCost=UnitCost
    )
    load_rule_sets(
        RuleSet=RuleSet, Rule=Rule, RuleMilestone=RuleMilestone, RulePhase=RulePhase, MeasureType=MeasureType
    )
