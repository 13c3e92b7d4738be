"""Which IUCN threats can act on which kind of organism (ingest/curated/threat_applicability.yml).

The threat inference (``SpeciesLayer._inferred_threats``) asks ``Applicability.rule_for`` whether an
ecoregion's threat can reach a species; the analytics show, per threat, which kind it is inferred on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

TABLE_FILE = Path(__file__).parent / "curated" / "threat_applicability.yml"


@dataclass(frozen=True)
class Kind:
    """A kind of organism: species of these groups, or of these families or genera."""

    key: str
    label: str
    groups: frozenset[str]
    families: frozenset[str]
    genera: frozenset[str]

    def includes(self, group: str, family: str | None, genus: str | None) -> bool:
        return group in self.groups or family in self.families or genus in self.genera


@dataclass(frozen=True)
class Rule:
    """One row: the threat code (and its narrower codes) acts on this kind of organism, for this reason."""

    threat: str
    kind: Kind
    reason: str

    @property
    def name(self) -> str:
        return f"{self.threat} on {self.kind.key}"


class Applicability:
    def __init__(self, kinds: dict[str, Kind], rules: list[Rule]):
        self.kinds = kinds
        self.rules = {rule.threat: rule for rule in rules}

    def rule_for(self, threat: str) -> Rule | None:
        """The most specific row for the code: its own, else its nearest broader code's; None if no row."""
        code = threat
        while True:
            if code in self.rules:
                return self.rules[code]
            if "." not in code:
                return None
            code = code.rsplit(".", 1)[0]

    def applies(self, threat: str, group: str, family: str | None, genus: str | None) -> bool:
        rule = self.rule_for(threat)
        return rule is not None and rule.kind.includes(group, family, genus)


def load(path: Path = TABLE_FILE) -> Applicability:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {
        key: Kind(
            key,
            spec["label"],
            frozenset(spec.get("groups", ())),
            frozenset(spec.get("families", ())),
            frozenset(spec.get("genera", ())),
        )
        for key, spec in data["kinds"].items()
    }
    rules = []
    for row in data["rules"]:
        if row["applies_to"] not in kinds:
            raise ValueError(f"{path.name}: threat {row['threat']} applies to unknown kind {row['applies_to']!r}")
        rules.append(Rule(str(row["threat"]), kinds[row["applies_to"]], row["reason"]))
    if len({r.threat for r in rules}) != len(rules):
        raise ValueError(f"{path.name}: a threat code has two rows")
    return Applicability(kinds, rules)
