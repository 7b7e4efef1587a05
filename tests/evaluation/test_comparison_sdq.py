"""Issue 21 point 5: the district comparison's SDQ row, with the paired test the SDQ figure uses.

The teachers' SDQ totals of ``conftest.kora``, period 1 = 1st half 2025, period 2 = 2nd half:
the first score of period 1 against the last of period 2, for the children with both.

  district A: A1 14 -> 11, A2 10 -> 9, A5 12 (10 January; not 15 on 1 March) -> 13 (1 November;
              not 18 on 5 October); A3 has no score after: 3 children
    mean before (14 + 10 + 12) / 3 = 12.0, after (11 + 9 + 13) / 3 = 11.0, change -1.0,
    in % of before -1 / 12 = -8.3 %
    paired t-test: changes -3, -1, +1, mean -1, sd sqrt((4 + 0 + 4) / 2) = 2,
    t = -1 / (2 / sqrt 3) = -0.866 with 2 degrees of freedom, where the two-sided p is
    1 - |t| / sqrt(t^2 + 2) = 1 - 0.866 / sqrt(2.75) = 1 - 0.5222 = 0.478
  district B: B1 20 -> 16, B2 8 -> 10: 2 children, fewer than 3: hidden, and the mean and the
    p-value with them
"""

from __future__ import annotations

import time_machine

QUERY = (
    "label_a=Sverigesdistrikter&group_a={a}&label_b=Øvrige&group_b={b}"
    "&first_start=2025-01-01&first_end=2025-06-30&second_start=2025-07-01&second_end=2025-12-31"
)


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_comparison_has_an_sdq_row_with_its_paired_test_and_base(kora, login):
    query = QUERY.format(a=kora.org.district_a.pk, b=kora.org.district_b.pk)
    client = login(kora.org.management)
    csv = client.get(f"/evaluering/eksport/sammenligning.csv?{query}").content.decode().lstrip("\ufeff")
    rows = {line.split(",")[0]: line.split(",")[1:] for line in csv.splitlines()}
    assert rows["SDQ: børn med en samlet score før og efter"][:6] == ["3", "3", "", "", "", "–"]
    assert rows["SDQ: samlet vanskelighedsscore (gns.)"][:6] == [
        "12.0",
        "11.0",
        "-1.0",
        "-8.3",
        "0.478",
        "Parret t-test",
    ]
    assert rows["SDQ: børn med en samlet score før og efter"][6:8] == ["<3", "<3"]
    assert rows["SDQ: samlet vanskelighedsscore (gns.)"][6:] == [
        "<3",
        "<3",
        "<3",
        "<3",
        "<3",
        "Parret t-test",
    ]
    html = client.get(f"/evaluering/sammenligning/?{query}").content.decode()
    assert "0,478" in html and "Parret t-test" in html
    assert "lærer eller pædagog" in html


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_comparison_pairs_the_chosen_informant(kora, login):
    # no parent scores in the fixture: no children, nothing to test
    query = QUERY.format(a=kora.org.district_a.pk, b=kora.org.district_b.pk) + "&informant=parent"
    csv = (
        login(kora.org.management)
        .get(f"/evaluering/eksport/sammenligning.csv?{query}")
        .content.decode()
        .lstrip("\ufeff")
    )
    rows = {line.split(",")[0]: line.split(",")[1:] for line in csv.splitlines()}
    assert rows["SDQ: børn med en samlet score før og efter"][:2] == ["0", "0"]
    assert rows["SDQ: samlet vanskelighedsscore (gns.)"][:6] == ["", "", "", "", "", "Parret t-test"]
