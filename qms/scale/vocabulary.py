"""Words of a manufacturing quality system, and the titles, sentences and people's names made from them.

Search benchmarks are only worth something if a query matches about as many documents as it would in a real QMS:
a common word ("inspection") many, a rare one ("anodising") few. So each document has a topic (a process and an
object) drawn with Zipf-like weights (the first words of each list are the common ones); its title and half its
sentences are about that topic, and the other half come from a pool of a few thousand sentences about anything, so
texts differ from document to document while sharing the language of the trade.
"""

from __future__ import annotations

import random
from itertools import accumulate

# Ordered from common to rare: the weights below favour the head of each list.
PROCESSES = [
    "inspection",
    "assembly",
    "calibration",
    "maintenance",
    "packaging",
    "machining",
    "welding",
    "purchasing",
    "receiving",
    "shipping",
    "training",
    "labelling",
    "cleaning",
    "painting",
    "testing",
    "sampling",
    "storage",
    "moulding",
    "stamping",
    "soldering",
    "coating",
    "sterilisation",
    "anodising",
    "brazing",
    "crimping",
    "deburring",
    "heat treatment",
    "grinding",
    "laser cutting",
    "torque control",
    "leak testing",
    "batch release",
    "line clearance",
    "first article inspection",
    "supplier qualification",
    "document control",
    "change control",
    "risk assessment",
    "complaint handling",
    "internal audit",
    "management review",
    "traceability",
    "rework",
    "segregation",
    "preventive maintenance",
    "environmental monitoring",
    "pest control",
    "gauge repeatability",
    "visual inspection",
]
OBJECTS = [
    "product",
    "component",
    "batch",
    "lot",
    "drawing",
    "specification",
    "gauge",
    "fixture",
    "tool",
    "machine",
    "press",
    "oven",
    "conveyor",
    "label",
    "pallet",
    "carton",
    "sample",
    "record",
    "checklist",
    "work order",
    "purchase order",
    "certificate of conformity",
    "control plan",
    "torque wrench",
    "micrometer",
    "caliper",
    "coordinate measuring machine",
    "test rig",
    "spare part",
    "raw material",
    "resin",
    "steel sheet",
    "aluminium bar",
    "fastener",
    "gasket",
    "seal",
    "circuit board",
    "cable harness",
    "hydraulic hose",
    "bearing",
    "valve",
    "sensor",
]
QUALIFIERS = [
    "incoming",
    "final",
    "in-process",
    "critical",
    "nonconforming",
    "released",
    "quarantined",
    "calibrated",
    "approved",
    "rejected",
    "customer-specific",
    "safety-relevant",
    "outsourced",
    "returned",
    "expired",
    "damaged",
    "special",
    "temporary",
    "annual",
    "daily",
    "weekly",
    "monthly",
]
TITLE_PATTERNS = [
    "{Process} of {qualifier} {object}s",
    "{Process} procedure",
    "Control of {qualifier} {object}s",
    "{Process} for the {object}",
    "Handling of {qualifier} {object}s",
    "{Process} and {process}",
    "Instruction for {process} at line {line}",
    "{Qualifier} {object} {process}",
    "Responsibilities for {process}",
    "{Process} records for {object}s",
    "Acceptance criteria for {qualifier} {object}s",
    "{Object} {process} checklist",
]
SENTENCE_PATTERNS = [
    "The {role} checks every {qualifier} {object} before {process}.",
    "Record the result of the {process} on the {object} form and sign it.",
    "{Qualifier} {object}s are segregated and labelled until the {role} decides.",
    "Check the {object} every {number} months and keep the certificate.",
    "If the {object} fails the {process}, stop the line and inform the {role}.",
    "The {role} reviews the {process} records weekly and trends the defects.",
    "Use only approved {object}s from qualified suppliers for {process}.",
    "Retain {process} records for {number} years after the last delivery.",
    "Training in {process} is required before anyone operates the {object}.",
    "The acceptance criterion for the {object} is a defect rate below {number} per thousand.",
    "During {process}, wear the protective equipment named in the risk assessment.",
    "Report any {qualifier} {object} in the nonconformity log the same shift.",
    "The {role} approves changes to the {process} before they are used.",
    "Measure {number} {object}s per batch and record the readings.",
    "Clean the {object} after each {process} run and before a change of product.",
    "Escalate repeated findings in {process} to a corrective action.",
]
ROLES = [
    "operator",
    "shift lead",
    "quality inspector",
    "quality engineer",
    "production supervisor",
    "maintenance technician",
    "process engineer",
    "buyer",
    "warehouse lead",
    "quality manager",
    "lab technician",
    "design engineer",
]
CHANGE_SUMMARIES = [
    "First issue.",
    "Updated acceptance criteria after the annual review.",
    "Added a step for the new {object}.",
    "Clarified responsibilities of the {role}.",
    "Aligned with the revised control plan.",
    "Corrected references to forms and records.",
    "Included the lessons from a customer complaint.",
    "Changed the {process} frequency.",
    "Reworded for the new line layout.",
    "Added the {qualifier} {object} case.",
]
FIRST_NAMES = [
    "Anna",
    "James",
    "Maria",
    "Omar",
    "Priya",
    "Lukas",
    "Sofia",
    "Chen",
    "Fatima",
    "Tom",
    "Daniel",
    "Aisha",
    "Robert",
    "Emily",
    "Kenji",
    "Grace",
    "Pedro",
    "Ivan",
    "Nora",
    "Claire",
    "Richard",
    "Margaret",
    "Samuel",
    "Helen",
    "Jonas",
    "Elena",
    "Mateo",
    "Yuki",
    "Olga",
    "Ahmed",
    "Lena",
    "Marco",
    "Ines",
    "Pavel",
    "Sara",
    "David",
    "Amara",
    "Felix",
    "Hana",
    "Luis",
    "Mia",
    "Noah",
    "Zara",
    "Erik",
    "Lucia",
    "Tariq",
    "Julia",
    "Viktor",
    "Rosa",
    "Ben",
]
LAST_NAMES = [
    "Carter",
    "Haddad",
    "Nair",
    "Weber",
    "Rossi",
    "Okafor",
    "Gonzalez",
    "Wei",
    "Zahra",
    "Becker",
    "Kowalski",
    "Moreau",
    "Bello",
    "Svensson",
    "Turner",
    "Sato",
    "Mensah",
    "Alves",
    "Petrov",
    "Lindqvist",
    "Dubois",
    "Hughes",
    "Ellis",
    "Adeyemi",
    "Novak",
    "Fischer",
    "Silva",
    "Tanaka",
    "Ivanova",
    "Khan",
    "Jensen",
    "Bianchi",
    "Costa",
    "Horvat",
    "Larsen",
    "Martin",
    "Nowak",
    "Oliveira",
    "Papadopoulos",
    "Quinn",
    "Schmidt",
    "Yilmaz",
    "Kim",
    "Murphy",
]
CUSTOMERS = [
    "Acme Automotive",
    "Nordic Medical AB",
    "Rhein Maschinenbau",
    "Atlas Aerospace",
    "Blue River Foods",
    "Helios Energy",
    "Kestrel Robotics",
    "Orion Devices",
    "Sakura Electronics",
    "Vega Instruments",
]
LOCATIONS = ["line 1", "line 2", "line 3", "press shop", "paint shop", "goods-in", "warehouse", "lab", "dispatch"]


def _zipf_weights(count: int) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(count)))


_PROCESS_WEIGHTS = _zipf_weights(len(PROCESSES))
_OBJECT_WEIGHTS = _zipf_weights(len(OBJECTS))


class Vocabulary:
    """Draws titles, sentences and texts from the word lists with one random generator (so a seed repeats them)."""

    SENTENCE_POOL_SIZE = 4000

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(self.SENTENCE_POOL_SIZE)]

    def process(self) -> str:
        return self.rng.choices(PROCESSES, cum_weights=_PROCESS_WEIGHTS)[0]

    def object(self) -> str:
        return self.rng.choices(OBJECTS, cum_weights=_OBJECT_WEIGHTS)[0]

    def topic(self) -> tuple[str, str]:
        """What a document is about: a process and an object, common ones more often."""
        return self.process(), self.object()

    def _fill(self, pattern: str, topic: tuple[str, str] | None = None) -> str:
        # Without a topic (the shared pool) every word is equally likely, so the topics alone make words common.
        process, obj = topic or (self.rng.choice(PROCESSES), self.rng.choice(OBJECTS))
        qualifier = self.rng.choice(QUALIFIERS)
        return pattern.format(
            process=process,
            Process=process.capitalize(),
            object=obj,
            Object=obj.capitalize(),
            qualifier=qualifier,
            Qualifier=qualifier.capitalize(),
            role=self.rng.choice(ROLES),
            number=self.rng.randint(2, 12),
            line=self.rng.randint(1, 12),
        )

    def _sentence(self) -> str:
        return self._fill(self.rng.choice(SENTENCE_PATTERNS))

    def title(self, topic: tuple[str, str] | None = None) -> str:
        return self._fill(self.rng.choice(TITLE_PATTERNS), topic or self.topic())[:200]

    def change_summary(self, first: bool) -> str:
        return CHANGE_SUMMARIES[0] if first else self._fill(self.rng.choice(CHANGE_SUMMARIES[1:]))

    def text(self, sentences: int, topic: tuple[str, str] | None = None) -> str:
        """A few paragraphs of procedure text, half of it about `topic`."""
        picked = [
            self._fill(self.rng.choice(SENTENCE_PATTERNS), topic) if topic and self.rng.random() < 0.5 else pooled
            for pooled in self.rng.choices(self.sentences, k=sentences)
        ]
        paragraphs = [" ".join(picked[start : start + 4]) for start in range(0, len(picked), 4)]
        return "\n\n".join(paragraphs)

    def revise(self, text: str) -> str:
        """The next revision's text: the same document with a sentence changed and one added, as real edits go."""
        sentences = text.replace("\n\n", " ").split(". ")
        position = self.rng.randrange(len(sentences))
        sentences[position] = self.rng.choice(self.sentences).rstrip(".")
        sentences.append(self.rng.choice(self.sentences).rstrip("."))
        joined = ". ".join(sentence.rstrip(".") for sentence in sentences) + "."
        return joined

    def sentence(self) -> str:
        return self.rng.choice(self.sentences)

    def statement(self) -> str:
        """One or two sentences for a finding, a nonconformity or an idea."""
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(1, 2)))
