"""Officials: roles, agencies and what each may see. Pure: no web, no database."""

from __future__ import annotations

from dataclasses import dataclass

#: ``analyst`` reads the results of its agencies' forms; ``editor`` also designs, checks
#: and previews their drafts; ``publisher`` also publishes, closes and reopens them;
#: ``admin`` does everything, for every agency.
ROLES = ("admin", "publisher", "editor", "analyst")
DESIGNERS = frozenset({"admin", "publisher", "editor"})
PUBLISHERS = frozenset({"admin", "publisher"})


@dataclass(frozen=True)
class Official:
    """A signed-in official, as the views see them."""

    id: int
    email: str
    role: str
    agencies: tuple[str, ...] = ()
    disabled: bool = False
    #: Sees personal-data answers unmasked (an administrator granted it).
    personal_data: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see(self, agency: str) -> bool:
        """Least privilege: an analyst sees only forms of their own agencies."""
        return self.is_admin or agency in self.agencies

    @property
    def designs(self) -> bool:
        """Whether this official designs forms (of :meth:`can_design`'s agencies)."""
        return self.role in DESIGNERS

    def can_design(self, agency: str) -> bool:
        """Create, edit, check and preview drafts of *agency*'s forms."""
        return self.role in DESIGNERS and self.can_see(agency)

    def can_publish(self, agency: str) -> bool:
        """Publish, close, reopen and archive *agency*'s forms."""
        return self.role in PUBLISHERS and self.can_see(agency)


def normalise_email(email: str) -> str:
    """One account per address, however it is typed."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and "." in domain and " " not in email and len(email) <= 254)
