"""Demo documents for `manage.py seed_demo`: a believable document system, built only through `documents.services`.

About forty documents of every type go through the real workflow: uploads, submissions, signed approvals and
rejections, withdrawals, retirements, periodic reviews, acknowledgements and change requests. Nothing is written
around the services, so the history, the signatures and the notifications are those the application makes itself.
Every timestamp is therefore "now": no document can be overdue for review yet, but the temporary instructions with a
one-month review period show up as due soon.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from itertools import groupby
from typing import TypeVar

import weasyprint
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import OutputWrapper
from django.utils import timezone

from documents import services
from documents.models import ChangeRequest, Document, DocumentType, Revision
from qms.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from qms.models import Clause, Department, User
from qms.roles import Role
from qms.signatures import SignatureError

EFFECTIVE, DRAFT, IN_REVIEW = Revision.Status.EFFECTIVE, Revision.Status.DRAFT, Revision.Status.IN_REVIEW
APPROVED, WITHDRAWN = Revision.Status.APPROVED, Revision.Status.WITHDRAWN
OPEN, ACCEPTED, DECLINED = ChangeRequest.Status.OPEN, ChangeRequest.Status.ACCEPTED, ChangeRequest.Status.DECLINED
# The approved revision waits this long for its planned effective date.
FUTURE_EFFECTIVE_DAYS = 14

T = TypeVar("T")


@dataclass(frozen=True)
class _Rev:
    """One revision's way through the workflow, and where it stops."""

    summary: str
    approvers: tuple[str, ...] = ("qm",)
    author: str = ""  # the document's owner when empty
    changes: tuple[tuple[str, str], ...] = ()  # (old, new) text replacements on the previous revision's body
    outcome: str = EFFECTIVE  # effective, approved (future date), in_review, draft or withdrawn
    signed: tuple[str, ...] = ()  # approvers who already signed a revision left in review
    rejection: str = ""  # the first approver rejects round 1 with this; the author applies `fixes` and resubmits
    fixes: tuple[tuple[str, str], ...] = ()
    withdrawal: str = ""
    request: tuple[str, str] = ("", "")  # (requester, reason): the revision answers an accepted change request
    read_by: tuple[str, ...] = ()  # who acknowledges it once effective


@dataclass(frozen=True)
class _Request:
    requester: str
    reason: str
    decision: str = OPEN
    note: str = ""


@dataclass(frozen=True)
class _Doc:
    type: str
    title: str
    owner: str
    department: str | None
    clauses: tuple[str, ...]
    readers: tuple[str, ...]  # department codes and role names
    body: str
    revisions: tuple[_Rev, ...]
    file: str = "md"  # md, pdf or csv
    restricted: bool = False
    review_months: int | None = None
    review: str = ""  # the owner confirms the periodic review with this comment
    retire: str = ""  # the quality manager retires the document with this comment
    requests: tuple[_Request, ...] = ()


def _procedure(purpose: str, scope: str, responsibilities: list[str], steps: list[str], records: list[str]) -> str:
    """The body of a procedure or instruction in the house layout."""
    return "\n".join(
        [
            "## 1. Purpose",
            purpose,
            "",
            "## 2. Scope",
            scope,
            "",
            "## 3. Responsibilities",
            *(f"- {line}" for line in responsibilities),
            "",
            "## 4. Procedure",
            *(f"{number}. {step}" for number, step in enumerate(steps, 1)),
            "",
            "## 5. Records",
            *(f"- {line}" for line in records),
        ]
    )


def _form(purpose: str, fields: list[str]) -> str:
    """The body of a form: what it is for, then a table to fill in."""
    return "\n".join([purpose, "", "| Field | Entry |", "|---|---|", *(f"| {field} | |" for field in fields)])


# --- Bodies ------------------------------------------------------------------------------------------------------

QUALITY_MANUAL = """## 1. About this manual
This manual describes our quality management system: its scope, its processes and how they interact, and where
the procedures that put it into practice are found. It is written for our people, our customers and our
certification body.

## 2. Scope of the quality management system
Design, manufacture and delivery of precision filling and dosing assemblies for the food and pharmaceutical
industries, at the main site (production, engineering and offices).
Clause 8.3 applies in full: we design our own products. No requirement of ISO 9001:2015 is excluded.

## 3. Context of the organisation (4.1, 4.2)
Internal and external issues and the needs of interested parties are reviewed once a year in the management
review and recorded in its minutes.

## 4. Processes and their interaction (4.4)
- Management processes: strategy and management review, internal audit, improvement and corrective action.
- Core processes: sales and order review, design and development, purchasing, production, logistics and delivery.
- Support processes: human resources and training, maintenance, calibration, documented information.
Each process has an owner, objectives and indicators that are reported to the management review.

## 5. Leadership (5.1, 5.3)
The Managing Director is accountable for the effectiveness of the quality management system. The Quality Manager
reports on its performance and has the authority to stop the delivery of nonconforming product.

## 6. Documented information (7.5)
Procedures, work instructions, forms and record templates are controlled in the electronic QMS. Its register of
controlled documents is the master list; printed copies are uncontrolled unless issued as controlled copies."""

QUALITY_POLICY = """## Our commitment
We build filling and dosing equipment that our customers can rely on, delivered when we promised.

1. We understand what our customers need and confirm it before we accept an order.
2. We meet applicable statutory and regulatory requirements, including food-contact and machine safety rules.
3. We set measurable quality objectives every year and review them in the management review.
4. We treat every complaint and nonconformity as a chance to improve, and we fix causes, not symptoms.
5. We give our people the training, tools and time to do their work right the first time.

This policy is communicated to every employee, displayed at the site entrances and available to interested
parties on request.

Richard Hughes, Managing Director"""

DOCUMENT_CONTROL = _procedure(
    "To make sure that everyone works from the current, approved version of every document, and that documents are "
    "reviewed, approved, distributed and retired in a controlled way (ISO 9001:2015, 7.5).",
    "All controlled documents: the quality manual, policies, procedures (SOP), work instructions (WI), forms (FRM) "
    "and record templates (REC). Records themselves are kept under the procedure that produces them.",
    [
        "Document owner: keeps the document accurate, starts revisions and confirms the periodic review.",
        "Author: writes the revision and picks at least one approver other than themselves.",
        "Approver: checks the content against current practice and the standard, and signs or rejects it.",
        "Quality Manager: maintains the document types and this procedure, and retires documents no longer needed.",
    ],
    [
        "Register a new document in the QMS; its number is given by its type (e.g. SOP-0012) and never reused.",
        "Upload the draft, describe what changes and why, and submit it to the approvers.",
        "The approvers review the draft; each approval is signed on the cover sheet with a wet-ink signature.",
        "When every approver has signed, the revision becomes effective on its effective date and the previous "
        "revision is superseded.",
        "The departments and roles in the distribution are asked to read the new revision; each reader "
        "acknowledges it in the QMS.",
        "Printed copies are uncontrolled unless they carry the controlled-copy stamp of the Quality department; "
        "the paper issue log lists who holds which copy.",
        "The owner reviews the document every 12 months: either a new revision is started, or the review is "
        "confirmed without change.",
        "A document no longer needed is retired by the Quality Manager; its last revision becomes obsolete and "
        "stays readable in the archive.",
    ],
    ["Approvals, signatures and acknowledgements, kept in the QMS.", "Periodic review confirmations, in the QMS."],
)

INTERNAL_AUDIT = _procedure(
    "To check at planned intervals that the quality management system conforms to our own requirements and to "
    "ISO 9001, and that it is effectively implemented and maintained (9.2).",
    "All processes and departments of the quality management system.",
    [
        "Lead Internal Auditor: maintains the audit programme, assigns auditors and reviews the reports.",
        "Auditors: plan and carry out audits and record findings; they never audit their own work.",
        "Auditees: take part, and propose corrections and corrective actions for the findings.",
    ],
    [
        "The Lead Internal Auditor draws up the yearly audit programme so that every process is audited once a year.",
        "At least two weeks before the audit, the auditor sends the audit plan (scope, criteria, schedule) to the "
        "process owner.",
        "The auditor prepares a checklist from the audit criteria and the results of earlier audits.",
        "The audit starts with an opening meeting, collects objective evidence by interview, observation and "
        "records, and ends with a closing meeting.",
        "Findings are classified as major nonconformity, minor nonconformity or opportunity for improvement, each "
        "with its evidence and clause.",
        "The report is issued within five working days; nonconformities are raised as corrective actions.",
        "The auditor verifies that the corrective actions were effective and closes the findings.",
    ],
    ["Audit programme, plans, checklists and reports, kept in the QMS."],
)

COMPLAINTS = _procedure(
    "To receive, record, investigate and answer customer complaints consistently, and to learn from them "
    "(8.2.1, 9.1.2, 10.2).",
    "Every complaint about our products, deliveries and services, whether received by phone, email, the customer "
    "portal or a field service engineer.",
    [
        "Customer Service: records the complaint, keeps the customer informed and sends the final answer.",
        "Quality Engineer: leads the investigation and decides on containment.",
        "Department heads: carry out the corrective actions in their area.",
    ],
    [
        "Record every complaint on the customer complaint form on the day it arrives, with order number, product, "
        "serial number and the customer's own description.",
        "Confirm receipt to the customer within 2 working days and give them the complaint number.",
        "Quality decides on containment within 24 hours: block stock, check goods in transit, inform other "
        "customers if they are affected.",
        "Investigate the root cause; start an 8D report when needed.",
        "Agree the correction with the customer (replacement, repair or credit note) and record it.",
        "Send the final answer within 20 working days, or explain the delay and give a new date.",
        "Close the complaint when the customer accepts the answer; closed complaints are evaluated monthly for trends.",
    ],
    [
        "Customer complaint forms and 8D reports, kept for 10 years.",
        "Monthly complaint statistics, reported to the management review.",
    ],
)

NONCONFORMING = _procedure(
    "To identify and control output that does not conform to requirements, so that it is not used or delivered "
    "by mistake (8.7, 10.2).",
    "Raw material, parts in process, finished product and services found nonconforming at any stage, including "
    "after delivery.",
    [
        "Whoever finds the nonconformity: stops, tags and segregates the product.",
        "Quality Engineer: records the NCR and decides the disposition with the production supervisor.",
        "Customer Service: asks the customer for a concession when product is to be used as is.",
    ],
    [
        "Stop the operation if the nonconformity may repeat, and inform the shift supervisor.",
        "Attach a red HOLD tag with the date, your name and the defect to every affected container.",
        "Move the product to the yellow quarantine shelf next to the inspection bench.",
        "The Quality Engineer records a nonconformance report in the QMS on the same day.",
        "Decide the disposition: rework, use as is under concession, scrap, or return to the supplier.",
        "Use product as is only with the customer's concession when it does not meet the customer's requirements.",
        "Reworked product is inspected again before it is released.",
        "Evaluate whether a corrective action is needed and record the decision on the NCR.",
    ],
    ["NCRs with the disposition, who authorised it, and any concession."],
)

TRAINING = _procedure(
    "To make sure that people whose work affects quality are competent on the basis of education, training or "
    "experience, and aware of the quality policy and of their contribution (7.2, 7.3).",
    "All employees, temporary workers and contractors working on site for more than two weeks.",
    [
        "HR Manager: keeps the training matrix and the training records, and organises the induction.",
        "Department heads: define the competence each job needs and assess their people once a year.",
        "Employees: take part in training and confirm that they have read the documents distributed to them.",
    ],
    [
        "Each job description lists the competence required; the department head records it in the training matrix.",
        "New employees follow the induction programme in their first week: safety, the quality policy and the "
        "work instructions of their job.",
        "Training needs are identified in the yearly appraisal, after changes to processes or documents, and after "
        "nonconformities caused by a lack of competence.",
        "Training is recorded on the training attendance record, signed by the trainer and the trainee.",
        "The department head checks within three months that the training was effective (observation at the "
        "workplace, a test or a sample check of work).",
        "Operators of special processes (welding, leak testing) are requalified every two years.",
    ],
    ["Training matrix, training attendance records and qualification certificates."],
)

CALIBRATION = _procedure(
    "To make sure that monitoring and measuring equipment gives valid and reliable results (7.1.5).",
    "Every instrument used to accept or release product, in production, goods receipt and the measuring room.",
    [
        "Quality Engineer: keeps the calibration register and decides on out-of-tolerance results.",
        "Maintenance: calibrates the instruments that are calibrated in house.",
        "Users: check the calibration label before use and report damaged instruments.",
    ],
    [
        "Every measuring instrument gets a unique ID and is listed in the calibration register.",
        "Instruments are calibrated every 6 months against standards traceable to national standards, in house or "
        "by an accredited laboratory.",
        "A calibration label shows the ID and the due date; instruments past their due date are taken out of use.",
        "Results are recorded on the calibration record; the instrument is adjusted or withdrawn when it is out of "
        "tolerance.",
        "Instruments are stored and handled so that their calibration stays valid (cases, temperature, no drops).",
    ],
    ["Calibration register, calibration records and external calibration certificates."],
)

SUPPLIERS = _procedure(
    "To select, evaluate and re-evaluate external providers on their ability to supply products and services that "
    "meet our requirements (8.4).",
    "Suppliers of production material, purchased parts, outsourced processes (heat treatment, surface coating) and "
    "calibration services.",
    [
        "Purchasing Manager: runs the evaluation and keeps the approved supplier list.",
        "Quality Engineer: assesses quality capability and takes part in supplier audits.",
        "Engineering: confirms the technical requirements and approves first samples.",
    ],
    [
        "A new supplier fills in the supplier self-assessment questionnaire and sends its certificates (ISO 9001 or "
        "equivalent).",
        "Purchasing and Quality assess the answers; critical suppliers send first samples, which Engineering approves.",
        "Approved suppliers are added to the approved supplier list with their scope of supply.",
        "Suppliers are re-evaluated once a year on delivery performance, quality (ppm, complaints) and cooperation.",
        "Purchase orders go only to suppliers on the approved supplier list, within their approved scope.",
        "Findings from goods receipt inspection are fed back to the supplier; repeated problems lead to a supplier "
        "corrective action request.",
    ],
    ["Questionnaires, evaluations, the approved supplier list and supplier corrective action requests."],
)

CLEANING_LINE = """## 1. Purpose
To clean filling line 2 between batches and before a change of product, so that no residue or allergen is carried
over into the next batch (8.5.1).

## 2. Safety
Wear safety glasses, nitrile gloves and an apron. The cleaning agent is alkaline: rinse skin contact with water for
15 minutes. Switch off the line at the main switch and apply your personal lock before opening any guard.

## 3. Materials
- Cleaning agent CIP-200, diluted to 1.5 % in warm water (50 to 60 °C).
- Lint-free cloths, nozzle brush set B-4, ATP swab kit.

## 4. Steps
1. Run the line empty and stop it at the end of the batch; write the batch number in the cleaning log.
2. Switch off the line at the main switch and apply your lock.
3. Remove the six filling nozzles and the product hopper.
4. Soak the nozzles for 10 minutes in the cleaning agent, then brush the bores with brush B-4.
5. Wipe the hopper, guides and conveyor with cleaning agent, then rinse with drinking water.
6. Rinse the nozzles with drinking water and let them dry on the rack.
7. Refit the nozzles and the hopper, remove your lock and run CIP programme 2 (10 minutes).
8. Take an ATP swab from nozzle 3 and from the hopper outlet; both results must be below 150 RLU.
9. Record the results in the cleaning log and sign it; the shift supervisor releases the line.

## 5. If a swab fails
Repeat steps 4 to 8. If the second swab fails too, do not release the line: call Quality."""

TORQUE_WRENCHES = """## 1. Purpose
To check click-type torque wrenches before use and to calibrate them at regular intervals, so that fasteners on
the assembly line are tightened to specification (7.1.5).

## 2. Equipment
- Torque tester TT-1 (beam type), with its certificate in the calibration register.
- The torque wrenches in use, each with an ID label (TW-001 to TW-040).

## 3. Daily check (operator, at the start of the shift)
1. Check the calibration label: never use a wrench past its due date.
2. Set the wrench to the torque of the job and make three clicks on the torque tester.
3. All three readings must be within ±6 % of the set value. If not, put the wrench in the red box and take a spare.

## 4. Calibration every 3 months (Maintenance)
1. Exercise the wrench five times at its maximum setting.
2. Measure at 20 %, 60 % and 100 % of its range, five readings each.
3. Every reading must be within ±6 %; write the readings on the calibration record.
4. Adjust the wrench if needed and measure again; a wrench that cannot be adjusted is scrapped.
5. Renew the calibration label and update the calibration register.

## 5. Storage
Store wrenches at their lowest setting in their case, and never use them to loosen bolts."""

PRESS_CHECK = """## 1. Purpose
To find faults on press P-12 before they damage parts or hurt someone (8.5.1, 7.1.3).

## 2. Steps at the start of every shift
1. Walk round the press: no loose tools, no oil on the floor, guards closed.
2. Switch on and wait for the hydraulics to reach 180 bar.
3. Test the light curtain: put the test rod through it at three heights; the press must stop each time.
4. Test both emergency stops.
5. Run three strokes without material and listen for unusual noise.
6. Press one part and measure it against the first-off sample.
7. Tick every step on the check sheet and sign it.

## 3. If a check fails
Do not run the press. Put the "Out of order" sign on it and call the shift supervisor and Maintenance."""

SUPPLIER_LIST = """supplier,scope of supply,certificate,evaluation score,status
Nordic Steel AB,stainless bar stock 1.4404 and 1.4435,ISO 9001,86,approved
Precision Seals GmbH,O-rings and lip seals (FDA grade),ISO 9001,71,approved with development plan
Alpine Coatings Srl,electropolishing of wetted parts,ISO 9001,79,approved
Metro Fasteners Ltd,standard fasteners A4,none,58,blocked for new orders
Kaltenbach Drives,servo motors and gearboxes,ISO 9001,90,approved
Westfield Packaging,export cartons and foam inserts,none,66,approved with development plan
CalTech Labs,calibration of reference standards,ISO/IEC 17025,93,approved"""

CALIBRATION_REGISTER = """instrument ID,description,location,interval (months),calibrated by,last calibrated,status
MC-014,digital caliper 0-150 mm,measuring room,6,in house,2026-01-12,in use
MC-022,outside micrometer 25-50 mm,line 2,6,in house,2026-02-03,in use
TT-1,torque tester (beam),maintenance,12,CalTech Labs,2025-11-20,in use
PG-105,pressure gauge 0-250 bar,press P-12,12,CalTech Labs,2025-09-15,in use
CMM-1,coordinate measuring machine,measuring room,12,manufacturer,2025-10-07,in use
LT-3,leak tester,line 2,6,in house,2025-12-01,under repair"""

TRAINING_MATRIX = """employee,job,induction,WI cleaning line 2,WI press P-12,leak testing,forklift licence
James Okafor,Machine Operator,done,qualified,qualified,in training,no
Chen Wei,Assembly Technician,done,qualified,not needed,qualified,no
Fatima Zahra,Quality Inspector,done,qualified,not needed,qualified,no
Tom Becker,Line Operator,done,in training,qualified,not needed,yes
Pedro Alves,Shipping Clerk,done,not needed,not needed,not needed,yes"""

CLEANING_LOG = """date,shift,batch,product before,product after,ATP nozzle 3,ATP hopper outlet,cleaned by,released by
2026-03-02,early,B-26-0311,apple juice,orange juice,42,61,J. Okafor,M. Gonzalez"""


# --- The document system -----------------------------------------------------------------------------------------

PROD_TEAM = ("prod.op2", "prod.op3", "prod.op4")

DOCUMENTS: tuple[_Doc, ...] = (
    _Doc(
        "MAN",
        "Quality manual",
        "qm",
        "QA",
        ("4.1", "4.2", "4.3", "4.4", "5.1", "5.3"),
        (Role.EMPLOYEE,),
        QUALITY_MANUAL,
        (
            _Rev("First issue of the quality manual, for the ISO 9001:2015 certification audit.", ("ceo",)),
            _Rev(
                "Scope extended to the new logistics centre in Hall 4.",
                ("ceo",),
                changes=(
                    (
                        "(production, engineering and offices)",
                        "(production, engineering and offices) and the logistics centre in Hall 4",
                    ),
                ),
                read_by=("employee", "prod.lead", "eng.lead", "pur.lead", "sales.lead", *PROD_TEAM),
            ),
            _Rev(
                "Outsourced heat treatment added as an externally provided process, after the 2025 management review.",
                ("ceo", "qa.engineer"),
                changes=(
                    (
                        "logistics and delivery.",
                        "logistics and delivery.\n- Externally provided processes: heat "
                        "treatment of stainless parts (controlled under 8.4).",
                    ),
                ),
                read_by=("qa.engineer", "auditor", "prod.lead", "eng.lead", "prod.op3"),
            ),
        ),
        file="pdf",
        requests=(
            _Request(
                "auditor",
                "The external calibration laboratory is an externally provided process too; list it "
                "in section 4 next to the heat treatment.",
            ),
        ),
    ),
    _Doc(
        "POL",
        "Quality policy",
        "ceo",
        "QA",
        ("5.2", "5.2.1", "5.2.2"),
        (Role.EMPLOYEE,),
        QUALITY_POLICY,
        (
            _Rev("First issue, signed by the Managing Director.", ("ceo",), author="qm", read_by=("employee",)),
            _Rev(
                "Commitment 3 names the objectives for on-time delivery and customer satisfaction.",
                ("ceo",),
                author="qm",
                changes=(
                    (
                        "every year and review",
                        "every year, including on-time delivery (98 %) and customer satisfaction, and review",
                    ),
                ),
                read_by=("employee", "prod.lead", "sales.lead", "sales.rep", *PROD_TEAM),
            ),
        ),
        file="pdf",
        requests=(
            _Request(
                "sales.rep",
                "Add a commitment to answer every customer enquiry within 24 hours.",
                DECLINED,
                "Response times are service levels, not policy: they belong in the order review and complaint "
                "procedures.",
            ),
        ),
    ),
    _Doc(
        "POL",
        "Health, safety and environment policy",
        "hr.lead",
        "HR",
        ("7.1.4",),
        (Role.EMPLOYEE,),
        "## Our commitment\nNobody gets hurt at work, and we keep our effect on the environment as small as we can.\n\n"
        "1. We assess the risks of every workplace and every new machine before it is used.\n"
        "2. We report every accident and near miss, and we investigate them without looking for someone to blame.\n"
        "3. We reduce waste, energy and water used per unit produced, with yearly targets.\n"
        "4. We consult our people and their safety representatives on everything that affects their safety.",
        (_Rev("First issue.", ("ceo",), read_by=("employee", "prod.op4", "maint.tech", "log.clerk")),),
    ),
    _Doc(
        "POL",
        "Confidentiality of customer information",
        "sales.lead",
        "SALES",
        ("8.5.3",),
        ("SALES", "ENG"),
        "## Policy\nDrawings, recipes and volumes that customers entrust to us are their property (8.5.3).\n\n"
        "1. Customer drawings are stored only in the engineering vault, never on personal drives.\n"
        "2. Customer names are not used in marketing without written permission.\n"
        "3. A customer's data is shared with a supplier only under a signed non-disclosure agreement.\n"
        "4. Loss or disclosure of customer information is reported to the customer within 72 hours.",
        (_Rev("First issue.", ("qm",), read_by=("sales.rep", "eng.design")),),
    ),
    _Doc(
        "SOP",
        "Control of documented information",
        "qm",
        "QA",
        ("7.5", "7.5.1", "7.5.2", "7.5.3"),
        ("QA", "PROD", "ENG"),
        DOCUMENT_CONTROL,
        (
            _Rev("First issue.", author="qa.engineer"),
            _Rev(
                "Approval by electronic signature in the QMS replaces wet-ink signatures on the cover sheet.",
                author="qa.engineer",
                changes=(
                    (
                        "each approval is signed on the cover sheet with a wet-ink signature.",
                        "each approver "
                        "signs electronically by entering their password; the signature records the SHA-256 of "
                        "the file that was approved.",
                    ),
                ),
            ),
            _Rev(
                "Paper issue log retired: controlled copies are printed from the QMS with number, revision and print "
                "date.",
                author="qa.engineer",
                changes=(
                    (
                        "carry the controlled-copy stamp of the Quality department; the paper issue log lists who "
                        "holds which copy.",
                        "are controlled copies printed from the QMS, which show the number, "
                        "revision and date of printing.",
                    ),
                ),
                read_by=("employee", "prod.lead", "eng.lead", "auditor", "eng.design"),
            ),
            _Rev(
                "Review interval set per document type; change requests from CAPA actions and ideas described.",
                author="qa.engineer",
                changes=(
                    (
                        "every 12 months",
                        "at the interval of its document type (12 months for procedures and work "
                        "instructions, 24 months for the manual, policies, forms and record templates)",
                    ),
                    (
                        "stays readable in the archive.",
                        "stays readable in the archive.\n9. Anyone may raise a change "
                        "request on an effective document, also from a CAPA action or an improvement idea; the owner "
                        "accepts or declines it with a reason.",
                    ),
                ),
                outcome=IN_REVIEW,
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Internal audit",
        "auditor",
        "QA",
        ("9.2",),
        ("QA", Role.AUDITOR),
        INTERNAL_AUDIT,
        (
            _Rev("First issue."),
            _Rev(
                "Risk-based audit programme: audit frequency depends on earlier findings and complaints.",
                changes=(
                    (
                        "so that every process is audited once a year.",
                        "based on risk: processes with major "
                        "findings or customer complaints in the last year are audited twice a year, stable "
                        "processes at least every 18 months.",
                    ),
                ),
                read_by=("auditor2", "auditor3", "qa.engineer"),
            ),
            _Rev(
                "Remote audits allowed where nothing is produced; auditor independence stated on the audit plan.",
                ("ceo", "qm"),
                changes=(
                    (
                        "(scope, criteria, schedule)",
                        "(scope, criteria, schedule and the auditor's statement of "
                        "independence from the audited process)",
                    ),
                    (
                        "The audit starts with",
                        "The audit is held on site, or by video for areas where nothing is produced; it starts with",
                    ),
                ),
                outcome=IN_REVIEW,
                signed=("ceo",),
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Customer complaint handling",
        "sales.lead",
        "SALES",
        ("8.2.1", "9.1.2", "10.2"),
        ("SALES", "QA"),
        COMPLAINTS,
        (
            _Rev("First issue.", read_by=("sales.rep", "qa.engineer")),
            _Rev(
                "Receipt confirmed within 1 working day; an 8D report is required for safety-related complaints.",
                changes=(
                    ("within 2 working days", "within 1 working day"),
                    ("start an 8D report when needed.", "an 8D report is required for every safety-related complaint."),
                ),
                rejection="Step 4 still leaves every other complaint open: say who decides whether an 8D is needed "
                "and by when, and point to the corrective action procedure.",
                fixes=(
                    (
                        "safety-related complaint.",
                        "safety-related complaint; for any other complaint the Quality "
                        "Engineer decides within 3 working days whether an 8D is needed and, if so, opens a "
                        "corrective action.",
                    ),
                ),
                outcome=IN_REVIEW,
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Control of nonconforming output",
        "qa.engineer",
        "QA",
        ("8.7", "10.2"),
        ("PROD", "QA", "LOG"),
        NONCONFORMING,
        (
            _Rev("First issue.", read_by=("employee", "prod.lead", "log.lead")),
            _Rev(
                "Locked red quarantine cage in Hall 2 replaces the yellow shelf; concessions must be in writing.",
                ("qm", "prod.lead"),
                changes=(
                    (
                        "Move the product to the yellow quarantine shelf next to the inspection bench.",
                        "Move the product to the locked red quarantine cage in Hall 2; only Quality holds the key.",
                    ),
                    ("with the customer's concession", "with the customer's written concession (email or signed form)"),
                ),
                read_by=("prod.lead", "prod.op3", "log.lead"),
            ),
        ),
        requests=(
            _Request(
                "employee",
                "HOLD tags tear off in the washing area. Please allow writing the NCR number on the "
                "crate with a paint marker instead.",
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Competence, training and awareness",
        "hr.lead",
        "HR",
        ("7.2", "7.3"),
        ("HR", "QA", "PROD"),
        TRAINING,
        (
            _Rev("First issue."),
            _Rev(
                "Reading a procedure or work instruction is recorded by the reader's acknowledgement in the QMS.",
                changes=(
                    (
                        "Training is recorded on the training attendance record, signed by the trainer and the "
                        "trainee.",
                        "Classroom and on-the-job training is recorded on the training attendance "
                        "record, signed by the trainer and the trainee; reading a procedure or work instruction "
                        "is recorded by the reader's acknowledgement in the QMS.",
                    ),
                ),
                read_by=("employee", "prod.lead", "qa.engineer", *PROD_TEAM),
            ),
        ),
        review="Reviewed with the department heads after the appraisal round: still matches practice, no change.",
    ),
    _Doc(
        "SOP",
        "Calibration of monitoring and measuring equipment",
        "qa.engineer",
        "QA",
        ("7.1.5",),
        ("QA", "PROD", "MAINT"),
        CALIBRATION,
        (
            _Rev("First issue.", ("maint.lead",)),
            _Rev(
                "Interval may be extended to 12 months after three consecutive in-tolerance results.",
                ("maint.lead",),
                changes=(
                    ("every 6 months", "every 6 months (12 months after three consecutive in-tolerance results)"),
                ),
            ),
            _Rev(
                "An out-of-tolerance result triggers an assessment of the product measured since the last good "
                "calibration.",
                ("maint.lead",),
                changes=(
                    (
                        "the instrument is adjusted or withdrawn when it is out of tolerance.",
                        "when an "
                        "instrument is out of tolerance, it is adjusted or withdrawn, and the Quality Engineer "
                        "assesses the product measured with it since its last good calibration (NCR if "
                        "needed).",
                    ),
                ),
                read_by=("employee", "maint.tech", "prod.op3"),
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Supplier evaluation and approval",
        "pur.lead",
        "PUR",
        ("8.4", "8.4.1", "8.4.2"),
        ("PUR", "QA"),
        SUPPLIERS,
        (
            _Rev("First issue."),
            _Rev(
                "Yearly re-evaluation with the supplier scorecard; development plan below 70 points.",
                changes=(
                    (
                        "Suppliers are re-evaluated once a year on delivery performance, quality (ppm, complaints) "
                        "and cooperation.",
                        "Suppliers are re-evaluated once a year with the supplier scorecard: "
                        "delivery 40 points, quality 40 points, cooperation 20 points. Below 70 points the supplier "
                        "gets a development plan; below 50 points it is blocked for new orders.",
                    ),
                ),
                read_by=("auditor3", "qa.engineer"),
            ),
            _Rev(
                "Approved supplier list kept as a controlled record; new suppliers of safety-relevant parts are "
                "audited on site.",
                changes=(
                    (
                        "added to the approved supplier list",
                        "added to the approved supplier list (a controlled record template)",
                    ),
                    (
                        "which Engineering approves.",
                        "which Engineering approves; new suppliers of safety-relevant "
                        "parts are audited on site before their first order.",
                    ),
                ),
                outcome=APPROVED,
            ),
        ),
        requests=(
            _Request(
                "eng.lead",
                "Let Engineering approve single-source suppliers of prototype parts without Purchasing.",
                DECLINED,
                "Single sourcing is a commercial risk that Purchasing stays accountable for; Engineering is consulted "
                "in step 2 and approves the first samples.",
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Corrective action",
        "qm",
        "QA",
        ("10.2",),
        ("QA", Role.AUDITOR),
        _procedure(
            "To remove the causes of nonconformities so that they do not happen again (10.2).",
            "Nonconformities from audits, complaints, NCRs and process monitoring that need more than a correction.",
            ["Quality Manager: opens and closes CAPAs.", "CAPA owner: analyses the cause and carries out actions."],
            [
                "Open a CAPA in the QMS, linked to the finding, complaint or NCR it comes from.",
                "Contain the problem and correct the affected product within 48 hours.",
                "Find the root cause with 5 Whys or a fishbone diagram, with the people who do the work.",
                "Plan actions against the root cause, each with an owner and a due date.",
                "When the actions are done, verify after 3 months that the problem has not come back.",
                "Update the risks and the documents concerned, and close the CAPA.",
            ],
            ["CAPA records with the cause analysis, actions and effectiveness check."],
        ),
        (_Rev("First issue.", author="qa.engineer", read_by=("auditor", "auditor2")),),
    ),
    _Doc(
        "SOP",
        "Management review",
        "qm",
        "QA",
        ("9.3", "9.3.1", "9.3.2", "9.3.3"),
        ("QA",),
        _procedure(
            "To review the quality management system at planned intervals, so that it stays suitable, adequate and "
            "effective and in line with our strategy (9.3).",
            "The yearly management review meeting and its follow-up.",
            ["Managing Director: chairs the review.", "Quality Manager: prepares the inputs and the minutes."],
            [
                "The review is held every year in March, with the Managing Director and all department heads.",
                "The Quality Manager collects the inputs listed in 9.3.2 two weeks before the meeting.",
                "The meeting decides on improvements, changes to the system and resources needed.",
                "The minutes list every decision with an owner and a due date; open actions are followed up monthly.",
            ],
            ["Minutes of the management review, with inputs and decisions."],
        ),
        (_Rev("First issue.", ("ceo",)),),
        review="Reviewed after the March management review: the inputs still match 9.3.2, no change needed.",
    ),
    _Doc(
        "SOP",
        "Production planning and release of product",
        "prod.lead",
        "PROD",
        ("8.1", "8.5.1", "8.6"),
        ("PROD", "LOG"),
        _procedure(
            "To plan production so that orders are made on time, under controlled conditions, and released only "
            "when every planned check is passed (8.1, 8.5.1, 8.6).",
            "All production orders on lines 1 to 3 and press P-12.",
            ["Production Supervisor: plans the week and releases batches.", "Operators: follow the work instructions."],
            [
                "Every Thursday the Production Supervisor plans the next week from the confirmed orders.",
                "Each production order lists the drawing, work instructions and inspection plan that apply.",
                "The first part of every order is inspected and released before series production starts.",
                "In-process checks are recorded on the inspection plan at the intervals it gives.",
                "The batch is released to the warehouse only when every check is recorded and passed.",
            ],
            ["Production orders with inspection results and the release signature."],
        ),
        (_Rev("First issue.", read_by=("employee", "prod.op2", "log.lead")),),
    ),
    _Doc(
        "SOP",
        "Handling, storage and delivery",
        "log.lead",
        "LOG",
        ("8.5.4", "8.5.5"),
        ("LOG", "PROD"),
        _procedure(
            "To keep product in conformity from goods receipt to delivery to the customer (8.5.4).",
            "The main warehouse and the logistics centre in Hall 4.",
            ["Warehouse Lead: storage locations and stock checks.", "Shipping Clerk: packing and dispatch."],
            [
                "Goods are stored on their assigned location and booked in the ERP on the day they arrive.",
                "Stock is issued first in, first out.",
                "Wetted parts are stored in closed bags, away from dust.",
                "Finished equipment is packed on the export pallet with corner protection and shock indicators.",
                "The shipping clerk checks the delivery note against the order before the truck leaves.",
            ],
            ["Delivery notes and shipping checklists."],
        ),
        (_Rev("First issue.", ("qa.engineer",), read_by=("log.clerk",)),),
    ),
    _Doc(
        "SOP",
        "Maintenance of production equipment",
        "maint.lead",
        "MAINT",
        ("7.1.3",),
        ("MAINT", "PROD"),
        _procedure(
            "To keep production equipment available and able to produce conforming product (7.1.3).",
            "All production machines, the compressed air system and the cleaning-in-place units.",
            ["Maintenance Supervisor: plans maintenance.", "Operators: daily checks and reporting faults."],
            [
                "Every machine has a maintenance plan with tasks and intervals from the manufacturer and our "
                "experience.",
                "Planned tasks are issued as work orders each Monday; done tasks are signed off in the work order.",
                "Operators report faults on the fault board; Maintenance answers within one shift.",
                "After a repair that may affect the product, the first parts are inspected before release.",
            ],
            ["Maintenance plans and completed work orders."],
        ),
        (_Rev("First issue.", ("prod.lead",), read_by=("employee", "maint.tech", "prod.op4")),),
    ),
    _Doc(
        "SOP",
        "Design and development",
        "eng.lead",
        "ENG",
        ("8.3", "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6"),
        ("ENG",),
        _procedure(
            "To design new products and changes in planned stages, so that the result meets the customer's and "
            "legal requirements (8.3).",
            "New products and design changes to existing products.",
            ["Engineering Manager: plans projects and chairs design reviews.", "Design engineers: design and verify."],
            [
                "Each project starts with a design input list signed by Sales and Engineering.",
                "Design reviews are held at concept, detailed design and pilot build.",
                "Verification (calculations, tests) and validation (customer trial) are recorded.",
                "Design changes after release go through a change request with an impact assessment.",
            ],
            ["Design inputs, review minutes, verification and validation reports."],
        ),
        (_Rev("First issue, for the new dosing head project.", ("qm", "auditor2"), outcome=IN_REVIEW),),
    ),
    _Doc(
        "SOP",
        "Risks and opportunities",
        "qm",
        "QA",
        ("6.1",),
        ("QA",),
        _procedure(
            "To determine the risks and opportunities that can affect our quality management system and plan "
            "actions to address them (6.1).",
            "All processes of the quality management system.",
            ["Process owners: keep the risk register of their process.", "Quality Manager: consolidates it."],
            [
                "Each process owner lists the risks and opportunities of the process in the risk register.",
                "Each risk is rated for likelihood and impact from 1 to 5.",
                "Risks rated 12 or more get an action with an owner and a due date.",
                "The register is reviewed before every management review.",
            ],
            ["Risk register."],
        ),
        (_Rev("First draft for discussion with the process owners.", author="qa.engineer", outcome=DRAFT),),
    ),
    _Doc(
        "SOP",
        "Customer order review",
        "sales.lead",
        "SALES",
        ("8.2.2", "8.2.3", "8.2.4"),
        ("SALES", "PROD"),
        _procedure(
            "To make sure we can meet every requirement of an order before we accept it (8.2.3).",
            "Quotations, orders and order changes.",
            ["Account managers: review and confirm orders.", "Engineering and Production: confirm feasibility."],
            [
                "Check the order against the quotation: product, quantity, price, delivery date and terms.",
                "Ask Engineering to confirm special requirements and Production to confirm the delivery date.",
                "Clear any difference with the customer before confirming the order.",
                "Send the order confirmation within 2 working days.",
                "Order changes are reviewed in the same way and confirmed in writing.",
            ],
            ["Order review checklist and order confirmation."],
        ),
        (_Rev("First issue.", read_by=("sales.rep",)),),
        requests=(
            _Request(
                "sales.rep",
                "The order review checklist does not cover export control screening of the end user.",
                ACCEPTED,
                "Agreed; I will add the screening step and ask Logistics to check it.",
            ),
        ),
    ),
    _Doc(
        "SOP",
        "Control of changes in production",
        "eng.process",
        "ENG",
        ("8.5.6",),
        ("ENG", "PROD"),
        _procedure(
            "To review and control changes in production so that conformity with requirements is kept (8.5.6).",
            "Changes to machines, tools, materials, process parameters and work instructions on the lines.",
            ["Process Engineer: assesses and records changes.", "Production Supervisor: approves the trial run."],
            [
                "Describe the change and its reason on a change request.",
                "Assess the effect on the product, the customer and the documents with Quality.",
                "Run a trial and inspect the first parts before the change is released.",
                "Update the work instructions before the change goes into series production.",
            ],
            ["Change requests with the assessment, the trial results and who authorised the change."],
        ),
        (_Rev("First issue.", ("prod.lead", "qm")),),
    ),
    _Doc(
        "WI",
        "Cleaning of filling line 2",
        "prod.lead",
        "PROD",
        ("8.5.1", "7.1.4"),
        ("PROD",),
        CLEANING_LINE,
        (
            _Rev("First issue.", ("qa.engineer",), read_by=("employee", "prod.op2", "prod.op4")),
            _Rev(
                "Nozzle soak time raised from 10 to 20 minutes after residue was found at the weekly swab test "
                "(NCR 2026-031).",
                ("qa.engineer",),
                changes=(("Soak the nozzles for 10 minutes", "Soak the nozzles for 20 minutes"),),
                read_by=("employee", "prod.op2", "prod.op4"),
            ),
            _Rev(
                "Cleaning agent changed to CIP-250 at 2 %; dosing given per 10 litres.",
                ("qa.engineer",),
                changes=(("CIP-200, diluted to 1.5 %", "CIP-250, diluted to 2 % (200 ml per 10 litres)"),),
                request=(
                    "employee",
                    "Purchasing replaced the cleaning agent CIP-200 by CIP-250; the dosing in "
                    "section 3 no longer matches the label on the drum.",
                ),
                read_by=("prod.op2",),
            ),
        ),
    ),
    _Doc(
        "WI",
        "Checking and calibrating torque wrenches",
        "maint.lead",
        "MAINT",
        ("7.1.5",),
        ("MAINT", "PROD"),
        TORQUE_WRENCHES,
        (
            _Rev("First issue.", ("qa.engineer",)),
            _Rev(
                "Tolerance tightened to ±4 % as in ISO 6789-2; electronic tester TT-2 replaces the beam tester.",
                ("qa.engineer",),
                changes=(("±6 %", "±4 %"), ("Torque tester TT-1 (beam type)", "Electronic torque tester TT-2")),
                read_by=("employee", "maint.tech", "prod.op2"),
            ),
        ),
    ),
    _Doc(
        "WI",
        "Daily start-up check of press P-12",
        "employee",
        "PROD",
        ("8.5.1", "7.1.3"),
        ("PROD",),
        PRESS_CHECK,
        (
            _Rev("First issue.", ("prod.lead",)),
            _Rev(
                "Hydraulic oil level check added after the pump failure in week 12.",
                ("prod.lead",),
                changes=(("guards closed.", "guards closed, hydraulic oil between MIN and MAX in the sight glass."),),
                read_by=("employee", "prod.op4"),
            ),
            _Rev(
                "Photos of the light curtain test positions added.",
                changes=(
                    ("at three heights;", "at three heights (marked with yellow tape, see photos on the machine);"),
                ),
                outcome=DRAFT,
            ),
        ),
    ),
    _Doc(
        "WI",
        "Goods receipt inspection",
        "log.lead",
        "LOG",
        ("8.4.3", "8.6"),
        ("LOG", "QA"),
        _procedure(
            "To check purchased goods before they are stored or used (8.6).",
            "All deliveries of production material and purchased parts.",
            ["Warehouse staff: check and book deliveries.", "Quality Inspector: inspects parts on the sampling plan."],
            [
                "Check the delivery note against the purchase order: part number, quantity, batch.",
                "Check the packaging for damage; photograph any damage before unpacking.",
                "Check that certificates required by the order (material certificate 3.1) are enclosed.",
                "Parts on the sampling plan go to the inspection shelf with a yellow tag.",
                "Book accepted goods in the ERP; put rejected goods in quarantine and inform Purchasing.",
            ],
            ["Goods receipt records in the ERP, inspection reports, supplier certificates."],
        ),
        (_Rev("First issue.", ("qa.engineer",), read_by=("log.clerk",)),),
    ),
    _Doc(
        "WI",
        "First-article inspection",
        "qa.engineer",
        "QA",
        ("8.6", "8.5.1"),
        ("QA", "PROD"),
        _procedure(
            "To prove that a new or changed part meets every drawing requirement before series production.",
            "New parts, drawing changes, new tools and parts from a new supplier.",
            ["Quality Inspector: measures the first article.", "Quality Engineer: approves the report."],
            [
                "Measure every dimension and note on the drawing, numbered with balloons.",
                "Record each result next to its tolerance on the first-article report.",
                "Check material and surface against the certificates.",
                "Any result out of tolerance stops the release: raise an NCR.",
            ],
            ["First-article reports with the ballooned drawing."],
        ),
        (_Rev("First issue.", ("prod.lead",), read_by=("employee", "prod.op3")),),
    ),
    _Doc(
        "WI",
        "Labelling of finished goods",
        "prod.lead",
        "PROD",
        ("8.5.2",),
        ("PROD", "LOG"),
        _procedure(
            "To identify every finished unit so that it can be traced back to its batch and materials (8.5.2).",
            "All finished assemblies and spare parts leaving the production lines.",
            ["Operators: print and apply the labels.", "Shipping Clerk: checks labels at dispatch."],
            [
                "Print the 100 x 150 mm label from the production order; never write labels by hand.",
                "Stick it on the top right of the carton, away from the seams.",
                "Scan the label to book the unit into stock; the scanner must beep twice.",
                "Damaged labels are reprinted from the production order, never copied.",
            ],
            ["Production order with the serial numbers of the labelled units."],
        ),
        (_Rev("First issue.", ("qa.engineer",), read_by=("employee", "log.clerk", "prod.op2")),),
        requests=(
            _Request(
                "log.clerk",
                "The new 600 x 400 export cartons have no room for the 100 x 150 mm label; allow "
                "the 100 x 70 mm label on them.",
            ),
        ),
    ),
    _Doc(
        "WI",
        "Handling of customer returns",
        "sales.lead",
        "SALES",
        ("8.5.5", "8.7"),
        ("SALES", "LOG", "QA"),
        _procedure(
            "To receive returned product in a controlled way and decide quickly what happens to it.",
            "All product returned by customers, under warranty or not.",
            ["Customer Service: issues the return number.", "Quality Engineer: inspects and decides."],
            [
                "Issue a return number (RMA) before the customer sends anything back.",
                "Goods arriving without an RMA number are booked into quarantine, not refused.",
                "Quality inspects the returned product within 5 working days and records the findings.",
                "Customer Service tells the customer the result and the credit, repair or replacement.",
            ],
            ["RMA records with the inspection findings."],
        ),
        (_Rev("First issue.", ("qa.engineer",), read_by=("sales.rep", "log.lead")),),
    ),
    _Doc(
        "WI",
        "ESD-safe handling of electronic assemblies",
        "prod.lead",
        "PROD",
        ("7.1.4", "8.5.4"),
        ("PROD",),
        _procedure(
            "To protect controller boards from electrostatic discharge during assembly.",
            "The electronics bench in Hall 1 and every transport of unpacked boards.",
            ["Operators: follow these rules.", "Production Supervisor: checks the ESD equipment weekly."],
            [
                "Test your wrist strap at the tester at the start of the day; it must show green.",
                "Wear the ESD coat closed and the wrist strap connected while touching boards.",
                "Carry boards only in pink shielding bags or the black conductive trays.",
                "Keep plastic, paper and personal items off the ESD mat.",
            ],
            ["Wrist strap test log."],
        ),
        (
            _Rev("First issue.", ("qa.engineer",), read_by=("prod.op2",)),
            _Rev(
                "Wrist straps tested at the start of every shift instead of once a day.",
                changes=(("at the start of the day", "at the start of every shift"),),
                outcome=WITHDRAWN,
                withdrawal="A second wrist-strap tester for the night shift is not in this year's budget; the daily "
                "test stays until it is. To be taken up again in Q3.",
            ),
        ),
    ),
    _Doc(
        "WI",
        "Temporary: manual leak test while tester LT-3 is repaired",
        "qa.engineer",
        "QA",
        ("8.5.1", "8.6"),
        ("PROD",),
        _procedure(
            "To keep leak testing every unit of line 2 while the automatic leak tester LT-3 waits for a spare part.",
            "Line 2, until LT-3 is back in use; then this instruction is retired.",
            ["Quality Inspector: performs and records the test."],
            [
                "Connect the unit to the test manifold and pressurise it to 6 bar with dry air.",
                "Close the valve and wait 2 minutes for the pressure to settle.",
                "Watch the gauge PG-210 for 5 minutes: the drop must be less than 0.05 bar.",
                "Spray the joints with leak detection spray if the drop is larger, and mark the leak.",
                "Record the serial number and the result in the leak test log.",
            ],
            ["Leak test log."],
        ),
        (_Rev("First issue, valid while LT-3 is out of use.", ("prod.lead",), read_by=("prod.op3", "employee")),),
        review_months=1,
    ),
    _Doc(
        "WI",
        "Temporary: 100 % inspection of O-rings from Precision Seals GmbH",
        "qa.engineer",
        "QA",
        ("8.4.2", "8.6"),
        ("LOG", "QA"),
        _procedure(
            "To stop cut O-rings from reaching the line until the supplier's corrective action is verified.",
            "Every delivery of O-rings from Precision Seals GmbH, until the supplier's 8D report is closed.",
            ["Quality Inspector: inspects every O-ring."],
            [
                "Inspect every O-ring under the magnifier for cuts, flash and inclusions.",
                "Put rejected O-rings in a bag labelled with the delivery note number.",
                "Record the quantities inspected and rejected on the goods receipt record.",
            ],
            ["Goods receipt records with the inspection results."],
        ),
        (_Rev("First issue, until the supplier's 8D report is closed.", ("pur.lead",), read_by=("log.lead",)),),
        review_months=1,
    ),
    _Doc(
        "WI",
        "Visual inspection of welded seams",
        "eng.process",
        "ENG",
        ("8.6",),
        ("ENG", "PROD"),
        _procedure(
            "To judge TIG welds on wetted stainless parts against ISO 5817 level B.",
            "All welded seams on product-contact parts.",
            ["Welders: check their own seams.", "Quality Inspector: checks a sample of every batch."],
            [
                "Clean the seam and look at it under 500 lux, from no more than 60 cm.",
                "Compare colour with the tint chart: straw is accepted, blue or grey is rejected.",
                "Reject undercut, porosity visible to the eye and incomplete penetration.",
                "Mark rejected seams with a red pen and record them on the inspection plan.",
            ],
            ["Inspection plan with the results per seam."],
        ),
        (_Rev("First issue.", ("prod.lead", "qm"), outcome=IN_REVIEW, signed=("prod.lead",)),),
    ),
    _Doc(
        "WI",
        "Paper stock cards",
        "log.lead",
        "LOG",
        ("7.5.3", "8.5.2"),
        ("LOG",),
        _procedure(
            "To keep the stock of each location right on its paper stock card.",
            "The main warehouse.",
            ["Warehouse staff: update the card at every movement."],
            [
                "Write every receipt and issue on the card of the location, with date, quantity and initials.",
                "Count the location when the card shows less than the reorder quantity.",
            ],
            ["Stock cards, kept for one year."],
        ),
        (_Rev("First issue.", ("qa.engineer",)),),
        retire="Stock is booked in the ERP since its go-live; the paper stock cards are no longer used.",
    ),
    _Doc(
        "FRM",
        "Nonconformance report",
        "qa.engineer",
        "QA",
        ("8.7", "10.2"),
        ("PROD", "QA"),
        _form(
            "Fill in one report for each nonconformity. Keep the HOLD tag number on the product.",
            [
                "NCR number",
                "Date found",
                "Found by",
                "Part number and batch",
                "Quantity affected",
                "Description of the nonconformity",
                "Containment (HOLD tag number, quarantine location)",
                "Disposition (rework / use as is / scrap / return to supplier)",
                "Authorised by",
                "Customer concession number (if used as is)",
                "Corrective action needed? (yes / no, CAPA number)",
            ],
        ),
        (
            _Rev("First issue.", read_by=("prod.lead",)),
            _Rev(
                "Disposition split into one line per decision, each with who authorised it.",
                changes=(
                    (
                        "| Disposition (rework / use as is / scrap / return to supplier) | |\n| Authorised by | |",
                        "| Rework: authorised by | |\n| Use as is under concession: authorised by | |\n"
                        "| Scrap: authorised by | |\n| Return to supplier: authorised by | |",
                    ),
                ),
                read_by=("prod.lead", "prod.op3"),
            ),
        ),
        file="pdf",
    ),
    _Doc(
        "FRM",
        "Internal audit checklist",
        "auditor",
        "QA",
        ("9.2",),
        (Role.AUDITOR,),
        _form(
            "One line per question asked; write the evidence seen, not an opinion.",
            [
                "Audit number",
                "Process audited",
                "Auditor and auditee",
                "Question and clause",
                "Evidence seen",
                "Finding (none / OFI / minor / major)",
            ],
        ),
        (_Rev("First issue.", read_by=("auditor2", "auditor3")),),
    ),
    _Doc(
        "FRM",
        "Training attendance record",
        "hr.lead",
        "HR",
        ("7.2",),
        ("HR",),
        _form(
            "Record every training session; trainer and trainees sign.",
            [
                "Topic and documents trained",
                "Date and duration",
                "Trainer",
                "Trainees (name and signature)",
                "How effectiveness will be checked",
            ],
        ),
        (_Rev("First issue."),),
    ),
    _Doc(
        "FRM",
        "Customer complaint form",
        "sales.lead",
        "SALES",
        ("8.2.1", "9.1.2"),
        ("SALES",),
        _form(
            "Fill in on the day the complaint arrives.",
            [
                "Complaint number",
                "Customer and contact",
                "Order and serial number",
                "Customer's description",
                "Safety-related? (yes / no)",
                "Containment decided by Quality",
                "Answer sent on",
            ],
        ),
        (_Rev("First issue.", ("qa.engineer",), read_by=("sales.rep",)),),
    ),
    _Doc(
        "FRM",
        "Paper change request",
        "qm",
        "QA",
        ("7.5.2",),
        ("QA",),
        _form(
            "Hand the completed form to the Quality department.",
            ["Document number and title", "Requested by", "What should change, and why", "Decision of the owner"],
        ),
        (_Rev("First issue.", author="qa.engineer"),),
        retire="Change requests are raised in the QMS now; the paper form is taken off the shop floor.",
    ),
    _Doc(
        "REC",
        "Approved supplier list",
        "pur.lead",
        "PUR",
        ("8.4", "8.4.1"),
        ("PUR",),
        SUPPLIER_LIST,
        (
            _Rev("First issue, from the 2025 supplier evaluation.", read_by=("auditor3",)),
            _Rev(
                "Metro Fasteners and Westfield Packaging removed after the yearly evaluation; Hartmann heat treatment "
                "added.",
                changes=(
                    ("Metro Fasteners Ltd,standard fasteners A4,none,58,blocked for new orders\n", ""),
                    (
                        "Westfield Packaging,export cartons and foam inserts,none,66,approved with development plan\n",
                        "Hartmann Härterei,heat treatment of stainless parts,ISO 9001,81,approved\n",
                    ),
                ),
                read_by=("auditor3",),
            ),
        ),
        file="csv",
        restricted=True,
    ),
    _Doc(
        "REC",
        "Calibration register",
        "qa.engineer",
        "QA",
        ("7.1.5",),
        ("QA", "MAINT"),
        CALIBRATION_REGISTER,
        (_Rev("First issue.", ("maint.lead",), read_by=("maint.tech",)),),
        file="csv",
    ),
    _Doc(
        "REC",
        "Training matrix",
        "hr.lead",
        "HR",
        ("7.2",),
        ("HR",),
        TRAINING_MATRIX,
        (_Rev("First issue."),),
        file="csv",
        restricted=True,
    ),
    _Doc(
        "REC",
        "Cleaning log, filling line 2",
        "prod.lead",
        "PROD",
        ("8.5.1",),
        ("PROD",),
        CLEANING_LOG,
        (_Rev("First issue.", ("qa.engineer",)),),
        file="csv",
    ),
)

_APPROVAL_COMMENTS = (
    "Checked against current practice; agreed.",
    "",
    "Fine. Please brief the shift leads before it takes effect.",
    "Agreed.",
)


# --- Building it -------------------------------------------------------------------------------------------------


class _CannotSign(Exception):
    """A signer's password is not the demo password: that document's story stops where it is."""


class _Builder:
    def __init__(self, password: str) -> None:
        self.password = password
        self.users = {user.username: user for user in User.objects.select_related("department")}
        self.types = {document_type.code: document_type for document_type in DocumentType.objects.all()}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.roles = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        self.refused: set[str] = set()
        self.signatures = 0

    def build(self, spec: _Doc) -> bool:
        """Register the document and take it through its story; False when the story stopped at a signature."""
        document = services.document_create(
            actor=self.users["qm"],
            document_type=self.types[spec.type],
            title=spec.title,
            owner=self.users[spec.owner],
            department=self.departments[spec.department] if spec.department else None,
            clauses=Clause.objects.filter(number__in=spec.clauses),
            distribution_departments=[self.departments[code] for code in spec.readers if code in self.departments],
            distribution_roles=[self.roles[name] for name in spec.readers if name in self.roles],
            restricted=spec.restricted,
            review_period_months=spec.review_months,
        )
        body = spec.body
        issued: list[tuple[int, str]] = []  # (revision, change summary) of the revisions that took effect
        try:
            for step in spec.revisions:
                body = self._revision(spec, document, step, body, issued)
            self._after(spec, document)
        except _CannotSign:
            return False
        return True

    def _revision(self, spec: _Doc, document: Document, step: _Rev, body: str, issued: list[tuple[int, str]]) -> str:
        """Take one revision as far as its story goes; returns the body the next revision starts from."""
        author = self.users[step.author or spec.owner]
        new_body = _changed(body, step.changes)
        number = document.revisions.count() + 1  # the next revision number: none are ever deleted
        upload = _upload(spec, document, number, new_body, [*issued, (number, step.summary)])
        requester, reason = step.request
        if requester:
            change_request = services.change_request_create(
                actor=self.users[requester], document=document, reason=reason
            )
            change_request = services.change_request_accept(
                actor=author, change_request=change_request, comment="Agreed, thank you; I will update it."
            )
            assert change_request.revision is not None  # accepting opens the draft
            revision = services.revision_replace_file(
                actor=author, revision=change_request.revision, file=upload, change_summary=step.summary
            )
        else:
            revision = services.revision_create(
                actor=author, document=document, file=upload, change_summary=step.summary
            )
        if step.outcome == DRAFT:
            return new_body
        if step.outcome == WITHDRAWN:
            services.revision_withdraw(actor=author, revision=revision, reason=step.withdrawal)
            return body
        approvers = [self.users[name] for name in step.approvers]
        effective_date = (
            timezone.localdate() + timedelta(days=FUTURE_EFFECTIVE_DAYS) if step.outcome == APPROVED else None
        )
        revision = services.revision_submit(
            actor=author, revision=revision, approvers=approvers, effective_date=effective_date
        )
        if step.rejection:
            revision = self._signed(approvers[0], services.revision_reject, revision=revision, comment=step.rejection)
            new_body = _changed(new_body, step.fixes)
            fixed = _upload(spec, document, number, new_body, [*issued, (number, step.summary)])
            revision = services.revision_replace_file(actor=author, revision=revision, file=fixed)
            revision = services.revision_submit(
                actor=author, revision=revision, approvers=approvers, effective_date=effective_date
            )
        signers = [self.users[name] for name in step.signed] if step.outcome == IN_REVIEW else approvers
        for approver in signers:
            comment = _APPROVAL_COMMENTS[self.signatures % len(_APPROVAL_COMMENTS)]
            revision = self._signed(approver, services.revision_approve, revision=revision, comment=comment)
        if step.outcome == EFFECTIVE:
            issued.append((number, step.summary))
            for reader in step.read_by:
                services.document_acknowledge(actor=self.users[reader], document=document)
        return new_body

    def _after(self, spec: _Doc, document: Document) -> None:
        """What happens once the revisions are done: change requests, the periodic review, retirement."""
        owner = self.users[spec.owner]
        for request in spec.requests:
            change_request = services.change_request_create(
                actor=self.users[request.requester], document=document, reason=request.reason
            )
            if request.decision == ACCEPTED:
                services.change_request_accept(actor=owner, change_request=change_request, comment=request.note)
            elif request.decision == DECLINED:
                services.change_request_decline(actor=owner, change_request=change_request, reason=request.note)
        if spec.review:
            self._signed(owner, services.document_confirm_review, document=document, comment=spec.review)
        if spec.retire:
            self._signed(self.users["qm"], services.document_retire, document=document, comment=spec.retire)

    def _signed(self, user: User, action: Callable[..., T], **kwargs: object) -> T:
        """Run a signing service as `user` with the demo password. Someone whose password is different (an account
        made before, or with `--password`) cannot sign: the story stops there, after one failed attempt at most."""
        if user.username in self.refused:
            raise _CannotSign
        try:
            result = action(actor=user, password=self.password, **kwargs)
        except SignatureError:
            self.refused.add(user.username)
            raise _CannotSign from None
        self.signatures += 1
        return result


def _changed(text: str, changes: tuple[tuple[str, str], ...]) -> str:
    for old, new in changes:
        if old not in text:
            raise ValueError(f"Demo revision change does not apply: {old[:60]!r}")
        text = text.replace(old, new)
    return text


def _upload(
    spec: _Doc, document: Document, number: int, body: str, history: list[tuple[int, str]]
) -> SimpleUploadedFile:
    name = f"{document.number} {spec.title} rev {number}"
    if spec.file == "csv":
        return SimpleUploadedFile(f"{name}.csv", body.encode(), content_type="text/csv")
    text = _markdown(spec, document, number, body, history)
    if spec.file == "pdf":
        return SimpleUploadedFile(f"{name}.pdf", _pdf(text, f"{document.number} rev {number}"), "application/pdf")
    return SimpleUploadedFile(f"{name}.md", text.encode(), content_type="text/markdown")


def _markdown(spec: _Doc, document: Document, number: int, body: str, history: list[tuple[int, str]]) -> str:
    """The whole document: a header block, the body, and the revision history that tells its story."""
    owner = document.owner
    department = document.department.name if document.department else "Whole organisation"
    header = [
        f"# {document.number} {spec.title}",
        "",
        "| | |",
        "|---|---|",
        f"| Revision | {number} |",
        f"| Owner | {owner.display_name}, {owner.job_title} |",
        f"| Department | {department} |",
        f"| ISO 9001:2015 | {', '.join(spec.clauses)} |",
        "",
    ]
    footer = ["", "## Revision history", "", "| Revision | Change |", "|---|---|"]
    footer += [f"| {revision} | {summary} |" for revision, summary in history]
    return "\n".join([*header, body, *footer]) + "\n"


_LIST_MARKER = re.compile(r"^(\d+\.|-) ")


def _line_kind(line: str) -> str:
    if line.startswith("|"):
        return "table"
    if re.match(r"\d+\. ", line):
        return "ol"
    return "ul" if line.startswith("- ") else "text"


def _html(markdown: str) -> str:
    """HTML for the little Markdown our demo documents use: headings, lists, tables and paragraphs."""
    parts: list[str] = []
    for kind, group in groupby(markdown.splitlines(), key=_line_kind):
        lines = list(group)
        if kind == "table":
            rows = [line.strip("|").split("|") for line in lines if not set(line) <= set("|-: ")]
            cells = ["".join(f"<td>{escape(cell.strip())}</td>" for cell in row) for row in rows]
            parts.append("<table>" + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>")
        elif kind in {"ol", "ul"}:
            items = "".join(f"<li>{escape(_LIST_MARKER.sub('', line))}</li>" for line in lines)
            parts.append(f"<{kind}>{items}</{kind}>")
        else:
            for line in filter(None, (line.strip() for line in lines)):
                level = len(line) - len(line.lstrip("#"))
                parts.append(
                    f"<h{level}>{escape(line[level:].strip())}</h{level}>" if level else f"<p>{escape(line)}</p>"
                )
    return "\n".join(parts)


_PDF_STYLE = """
@page { size: A4; margin: 22mm 20mm;
  @top-left { content: "LABEL"; font-size: 8pt; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }
"""


def _pdf(markdown: str, label: str) -> bytes:
    """A real PDF, so controlled copies and text extraction have something to work on. Rendered once per revision."""
    style = _PDF_STYLE.replace("LABEL", label)
    html = f"<html><head><style>{style}</style></head><body>{_html(markdown)}</body></html>"
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def seed(stdout: OutputWrapper) -> None:
    """Build the demo document system, unless there are documents already."""
    if Document.objects.exists():
        stdout.write("Demo documents: documents are already there, none added.")
        return
    missing_types = {spec.type for spec in DOCUMENTS} - set(DocumentType.objects.values_list("code", flat=True))
    if missing_types:
        # The types come from a migration; a database emptied by hand (or by a test's flush) has none.
        stdout.write(f"Demo documents: document types {', '.join(sorted(missing_types))} are missing; none added.")
        return
    # The same password seed_demo gives new accounts (`--password` is not passed on: then signing is skipped).
    builder = _Builder(os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD)
    if not builder.users["qm"].check_password(builder.password):
        builder.refused.update(builder.users)  # no account will sign, so not one failed attempt is logged
    stopped = sum(not builder.build(spec) for spec in DOCUMENTS)
    documents = Counter(Document.objects.values_list("status", flat=True))
    revisions = Counter(Revision.objects.values_list("status", flat=True))
    summary = (
        f"Demo documents: {sum(documents.values())} documents ({_counts(documents)}), "
        f"{sum(revisions.values())} revisions ({_counts(revisions)}), {builder.signatures} signatures, "
        f"{ChangeRequest.objects.count()} change requests."
    )
    if stopped:
        summary += f" {stopped} stopped before a signature: the demo password does not match those accounts."
    stdout.write(summary)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in counter.most_common())
