import time

from django.core.management.base import BaseCommand

from coop import demo


class Command(BaseCommand):
    help = "Create the demo co-ops (APOQ-like, Hualtaco-like, an Ecuadorian one) and one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=demo.APOQ.members,
                            help="Members of the APOQ-like co-op (default 367; 10000 and more for load tests).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")

    def handle(self, *args, members, seed, **options):
        started = time.perf_counter()
        result = demo.seed(members=members, seed=seed)
        elapsed = time.perf_counter() - started
        for code, count in result["created"].items():
            self.stdout.write(f"Created {code} with {count} members.")
        if not result["created"]:
            self.stdout.write("Demo co-ops already present; nothing created.")
        self.stdout.write(f"Seeding took {elapsed:.1f} s.")
        self.stdout.write(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
        for username, role in result["logins"]:
            self.stdout.write(f"  {username:<20} {role}")
