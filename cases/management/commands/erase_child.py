"""Administrator procedure: erase one child's record after the retention period (docs/access.md)."""

from django.core.management.base import BaseCommand, CommandError

from cases.erasure import ErasureRefused, erasable_from, erase_child, rows_to_erase
from cases.models import Child
from herning.organisation.models import User


class Command(BaseCommand):
    help = (
        "Sletter et barns oplysninger efter opbevaringsperioden (administratorprocedure). "
        "Uden --confirm vises kun, hvad der ville blive slettet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "child_id", type=int, help="Barnets id (aldrig CPR-nummeret: det gemmes i shellens historik)."
        )
        parser.add_argument(
            "--reason", required=True, help="Begrundelsen, fx journalnummeret på kassationsbeslutningen."
        )
        parser.add_argument(
            "--by", required=True, help="Brugernavnet på den systemadministrator, der sletter."
        )
        parser.add_argument("--confirm", action="store_true", help="Slet for alvor.")

    def handle(self, *args, child_id, reason, by, confirm, **options):
        child = Child.objects.for_system().filter(pk=child_id).first()
        if child is None:
            raise CommandError(f"Intet barn med id {child_id}.")
        administrator = User.objects.filter(username=by).first()
        if administrator is None:
            raise CommandError(f"Ingen bruger hedder {by}.")
        if not confirm:
            allowed = erasable_from(child)
            self.stdout.write(
                f"Barn {child_id}: kan slettes fra {allowed:%Y-%m-%d}."
                if allowed
                else f"Barn {child_id} har en åben sag."
            )
            for model, pks in sorted(rows_to_erase(child).items(), key=lambda item: item[0]._meta.label):
                self.stdout.write(f"  {model._meta.label}: {len(pks)}")
            self.stdout.write("Intet er slettet. Tilføj --confirm for at slette.")
            return
        try:
            event = erase_child(child=child, reason=reason, by=administrator)
        except ErasureRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Barn {child_id} er slettet; revisionshændelse {event.pk}."))
