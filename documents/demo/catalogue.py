"""The demo document system: about forty documents, each with the story its revisions go through."""

from __future__ import annotations

from documents.demo.content import (
    CALIBRATION,
    CALIBRATION_REGISTER,
    CLEANING_LINE,
    CLEANING_LOG,
    COMPLAINTS,
    DOCUMENT_CONTROL,
    INTERNAL_AUDIT,
    NONCONFORMING,
    PRESS_CHECK,
    QUALITY_MANUAL,
    QUALITY_POLICY,
    SUPPLIER_LIST,
    SUPPLIERS,
    TORQUE_WRENCHES,
    TRAINING,
    TRAINING_MATRIX,
    form_body,
    procedure,
)
from documents.demo.plans import DocumentPlan, RequestPlan, RevisionPlan
from documents.models import ChangeRequest, Revision
from qms.roles import Role

EFFECTIVE, DRAFT, IN_REVIEW = Revision.Status.EFFECTIVE, Revision.Status.DRAFT, Revision.Status.IN_REVIEW
APPROVED, WITHDRAWN = Revision.Status.APPROVED, Revision.Status.WITHDRAWN
OPEN, ACCEPTED, DECLINED = ChangeRequest.Status.OPEN, ChangeRequest.Status.ACCEPTED, ChangeRequest.Status.DECLINED

PROD_TEAM = ("prod.op2", "prod.op3", "prod.op4")

DOCUMENTS: tuple[DocumentPlan, ...] = (
    DocumentPlan(
        "MAN",
        "Quality manual",
        "qm",
        "QA",
        ("4.1", "4.2", "4.3", "4.4", "5.1", "5.3"),
        (Role.EMPLOYEE,),
        QUALITY_MANUAL,
        (
            RevisionPlan("First issue of the quality manual, for the ISO 9001:2015 certification audit.", ("ceo",)),
            RevisionPlan(
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
            RevisionPlan(
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
            RequestPlan(
                "auditor",
                "The external calibration laboratory is an externally provided process too; list it "
                "in section 4 next to the heat treatment.",
            ),
        ),
    ),
    DocumentPlan(
        "POL",
        "Quality policy",
        "ceo",
        "QA",
        ("5.2", "5.2.1", "5.2.2"),
        (Role.EMPLOYEE,),
        QUALITY_POLICY,
        (
            RevisionPlan("First issue, signed by the Managing Director.", ("ceo",), author="qm", read_by=("employee",)),
            RevisionPlan(
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
            RequestPlan(
                "sales.rep",
                "Add a commitment to answer every customer enquiry within 24 hours.",
                DECLINED,
                "Response times are service levels, not policy: they belong in the order review and complaint "
                "procedures.",
            ),
        ),
    ),
    DocumentPlan(
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
        (RevisionPlan("First issue.", ("ceo",), read_by=("employee", "prod.op4", "maint.tech", "log.clerk")),),
    ),
    DocumentPlan(
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
        (RevisionPlan("First issue.", ("qm",), read_by=("sales.rep", "eng.design")),),
    ),
    DocumentPlan(
        "SOP",
        "Control of documented information",
        "qm",
        "QA",
        ("7.5", "7.5.1", "7.5.2", "7.5.3"),
        ("QA", "PROD", "ENG"),
        DOCUMENT_CONTROL,
        (
            RevisionPlan("First issue.", author="qa.engineer"),
            RevisionPlan(
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
            RevisionPlan(
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
            RevisionPlan(
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
    DocumentPlan(
        "SOP",
        "Internal audit",
        "auditor",
        "QA",
        ("9.2",),
        ("QA", Role.AUDITOR),
        INTERNAL_AUDIT,
        (
            RevisionPlan("First issue."),
            RevisionPlan(
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
            RevisionPlan(
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
    DocumentPlan(
        "SOP",
        "Customer complaint handling",
        "sales.lead",
        "SALES",
        ("8.2.1", "9.1.2", "10.2"),
        ("SALES", "QA"),
        COMPLAINTS,
        (
            RevisionPlan("First issue.", read_by=("sales.rep", "qa.engineer")),
            RevisionPlan(
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
    DocumentPlan(
        "SOP",
        "Control of nonconforming output",
        "qa.engineer",
        "QA",
        ("8.7", "10.2"),
        ("PROD", "QA", "LOG"),
        NONCONFORMING,
        (
            RevisionPlan("First issue.", read_by=("employee", "prod.lead", "log.lead")),
            RevisionPlan(
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
            RequestPlan(
                "employee",
                "HOLD tags tear off in the washing area. Please allow writing the NCR number on the "
                "crate with a paint marker instead.",
            ),
        ),
    ),
    DocumentPlan(
        "SOP",
        "Competence, training and awareness",
        "hr.lead",
        "HR",
        ("7.2", "7.3"),
        ("HR", "QA", "PROD"),
        TRAINING,
        (
            RevisionPlan("First issue."),
            RevisionPlan(
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
    DocumentPlan(
        "SOP",
        "Calibration of monitoring and measuring equipment",
        "qa.engineer",
        "QA",
        ("7.1.5",),
        ("QA", "PROD", "MAINT"),
        CALIBRATION,
        (
            RevisionPlan("First issue.", ("maint.lead",)),
            RevisionPlan(
                "Interval may be extended to 12 months after three consecutive in-tolerance results.",
                ("maint.lead",),
                changes=(
                    ("every 6 months", "every 6 months (12 months after three consecutive in-tolerance results)"),
                ),
            ),
            RevisionPlan(
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
    DocumentPlan(
        "SOP",
        "Supplier evaluation and approval",
        "pur.lead",
        "PUR",
        ("8.4", "8.4.1", "8.4.2"),
        ("PUR", "QA"),
        SUPPLIERS,
        (
            RevisionPlan("First issue."),
            RevisionPlan(
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
            RevisionPlan(
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
            RequestPlan(
                "eng.lead",
                "Let Engineering approve single-source suppliers of prototype parts without Purchasing.",
                DECLINED,
                "Single sourcing is a commercial risk that Purchasing stays accountable for; Engineering is consulted "
                "in step 2 and approves the first samples.",
            ),
        ),
    ),
    DocumentPlan(
        "SOP",
        "Corrective action",
        "qm",
        "QA",
        ("10.2",),
        ("QA", Role.AUDITOR),
        procedure(
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
        (RevisionPlan("First issue.", author="qa.engineer", read_by=("auditor", "auditor2")),),
    ),
    DocumentPlan(
        "SOP",
        "Management review",
        "qm",
        "QA",
        ("9.3", "9.3.1", "9.3.2", "9.3.3"),
        ("QA",),
        procedure(
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
        (RevisionPlan("First issue.", ("ceo",)),),
        review="Reviewed after the March management review: the inputs still match 9.3.2, no change needed.",
    ),
    DocumentPlan(
        "SOP",
        "Production planning and release of product",
        "prod.lead",
        "PROD",
        ("8.1", "8.5.1", "8.6"),
        ("PROD", "LOG"),
        procedure(
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
        (RevisionPlan("First issue.", read_by=("employee", "prod.op2", "log.lead")),),
    ),
    DocumentPlan(
        "SOP",
        "Handling, storage and delivery",
        "log.lead",
        "LOG",
        ("8.5.4", "8.5.5"),
        ("LOG", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", ("qa.engineer",), read_by=("log.clerk",)),),
    ),
    DocumentPlan(
        "SOP",
        "Maintenance of production equipment",
        "maint.lead",
        "MAINT",
        ("7.1.3",),
        ("MAINT", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", ("prod.lead",), read_by=("employee", "maint.tech", "prod.op4")),),
    ),
    DocumentPlan(
        "SOP",
        "Design and development",
        "eng.lead",
        "ENG",
        ("8.3", "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6"),
        ("ENG",),
        procedure(
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
        (RevisionPlan("First issue, for the new dosing head project.", ("qm", "auditor2"), outcome=IN_REVIEW),),
    ),
    DocumentPlan(
        "SOP",
        "Risks and opportunities",
        "qm",
        "QA",
        ("6.1",),
        ("QA",),
        procedure(
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
        (RevisionPlan("First draft for discussion with the process owners.", author="qa.engineer", outcome=DRAFT),),
    ),
    DocumentPlan(
        "SOP",
        "Customer order review",
        "sales.lead",
        "SALES",
        ("8.2.2", "8.2.3", "8.2.4"),
        ("SALES", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", read_by=("sales.rep",)),),
        requests=(
            RequestPlan(
                "sales.rep",
                "The order review checklist does not cover export control screening of the end user.",
                ACCEPTED,
                "Agreed; I will add the screening step and ask Logistics to check it.",
            ),
        ),
    ),
    DocumentPlan(
        "SOP",
        "Control of changes in production",
        "eng.process",
        "ENG",
        ("8.5.6",),
        ("ENG", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", ("prod.lead", "qm")),),
    ),
    DocumentPlan(
        "WI",
        "Cleaning of filling line 2",
        "prod.lead",
        "PROD",
        ("8.5.1", "7.1.4"),
        ("PROD",),
        CLEANING_LINE,
        (
            RevisionPlan("First issue.", ("qa.engineer",), read_by=("employee", "prod.op2", "prod.op4")),
            RevisionPlan(
                "Nozzle soak time raised from 10 to 20 minutes after residue was found at the weekly swab test "
                "(NCR 2026-031).",
                ("qa.engineer",),
                changes=(("Soak the nozzles for 10 minutes", "Soak the nozzles for 20 minutes"),),
                read_by=("employee", "prod.op2", "prod.op4"),
            ),
            RevisionPlan(
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
    DocumentPlan(
        "WI",
        "Checking and calibrating torque wrenches",
        "maint.lead",
        "MAINT",
        ("7.1.5",),
        ("MAINT", "PROD"),
        TORQUE_WRENCHES,
        (
            RevisionPlan("First issue.", ("qa.engineer",)),
            RevisionPlan(
                "Tolerance tightened to ±4 % as in ISO 6789-2; electronic tester TT-2 replaces the beam tester.",
                ("qa.engineer",),
                changes=(("±6 %", "±4 %"), ("Torque tester TT-1 (beam type)", "Electronic torque tester TT-2")),
                read_by=("employee", "maint.tech", "prod.op2"),
            ),
        ),
    ),
    DocumentPlan(
        "WI",
        "Daily start-up check of press P-12",
        "employee",
        "PROD",
        ("8.5.1", "7.1.3"),
        ("PROD",),
        PRESS_CHECK,
        (
            RevisionPlan("First issue.", ("prod.lead",)),
            RevisionPlan(
                "Hydraulic oil level check added after the pump failure in week 12.",
                ("prod.lead",),
                changes=(("guards closed.", "guards closed, hydraulic oil between MIN and MAX in the sight glass."),),
                read_by=("employee", "prod.op4"),
            ),
            RevisionPlan(
                "Photos of the light curtain test positions added.",
                changes=(
                    ("at three heights;", "at three heights (marked with yellow tape, see photos on the machine);"),
                ),
                outcome=DRAFT,
            ),
        ),
    ),
    DocumentPlan(
        "WI",
        "Goods receipt inspection",
        "log.lead",
        "LOG",
        ("8.4.3", "8.6"),
        ("LOG", "QA"),
        procedure(
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
        (RevisionPlan("First issue.", ("qa.engineer",), read_by=("log.clerk",)),),
    ),
    DocumentPlan(
        "WI",
        "First-article inspection",
        "qa.engineer",
        "QA",
        ("8.6", "8.5.1"),
        ("QA", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", ("prod.lead",), read_by=("employee", "prod.op3")),),
    ),
    DocumentPlan(
        "WI",
        "Labelling of finished goods",
        "prod.lead",
        "PROD",
        ("8.5.2",),
        ("PROD", "LOG"),
        procedure(
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
        (RevisionPlan("First issue.", ("qa.engineer",), read_by=("employee", "log.clerk", "prod.op2")),),
        requests=(
            RequestPlan(
                "log.clerk",
                "The new 600 x 400 export cartons have no room for the 100 x 150 mm label; allow "
                "the 100 x 70 mm label on them.",
            ),
        ),
    ),
    DocumentPlan(
        "WI",
        "Handling of customer returns",
        "sales.lead",
        "SALES",
        ("8.5.5", "8.7"),
        ("SALES", "LOG", "QA"),
        procedure(
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
        (RevisionPlan("First issue.", ("qa.engineer",), read_by=("sales.rep", "log.lead")),),
    ),
    DocumentPlan(
        "WI",
        "ESD-safe handling of electronic assemblies",
        "prod.lead",
        "PROD",
        ("7.1.4", "8.5.4"),
        ("PROD",),
        procedure(
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
            RevisionPlan("First issue.", ("qa.engineer",), read_by=("prod.op2",)),
            RevisionPlan(
                "Wrist straps tested at the start of every shift instead of once a day.",
                changes=(("at the start of the day", "at the start of every shift"),),
                outcome=WITHDRAWN,
                withdrawal="A second wrist-strap tester for the night shift is not in this year's budget; the daily "
                "test stays until it is. To be taken up again in Q3.",
            ),
        ),
    ),
    DocumentPlan(
        "WI",
        "Temporary: manual leak test while tester LT-3 is repaired",
        "qa.engineer",
        "QA",
        ("8.5.1", "8.6"),
        ("PROD",),
        procedure(
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
        (
            RevisionPlan(
                "First issue, valid while LT-3 is out of use.", ("prod.lead",), read_by=("prod.op3", "employee")
            ),
        ),
        review_months=1,
    ),
    DocumentPlan(
        "WI",
        "Temporary: 100 % inspection of O-rings from Precision Seals GmbH",
        "qa.engineer",
        "QA",
        ("8.4.2", "8.6"),
        ("LOG", "QA"),
        procedure(
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
        (RevisionPlan("First issue, until the supplier's 8D report is closed.", ("pur.lead",), read_by=("log.lead",)),),
        review_months=1,
    ),
    DocumentPlan(
        "WI",
        "Visual inspection of welded seams",
        "eng.process",
        "ENG",
        ("8.6",),
        ("ENG", "PROD"),
        procedure(
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
        (RevisionPlan("First issue.", ("prod.lead", "qm"), outcome=IN_REVIEW, signed=("prod.lead",)),),
    ),
    DocumentPlan(
        "WI",
        "Paper stock cards",
        "log.lead",
        "LOG",
        ("7.5.3", "8.5.2"),
        ("LOG",),
        procedure(
            "To keep the stock of each location right on its paper stock card.",
            "The main warehouse.",
            ["Warehouse staff: update the card at every movement."],
            [
                "Write every receipt and issue on the card of the location, with date, quantity and initials.",
                "Count the location when the card shows less than the reorder quantity.",
            ],
            ["Stock cards, kept for one year."],
        ),
        (RevisionPlan("First issue.", ("qa.engineer",)),),
        retire="Stock is booked in the ERP since its go-live; the paper stock cards are no longer used.",
    ),
    DocumentPlan(
        "FRM",
        "Nonconformance report",
        "qa.engineer",
        "QA",
        ("8.7", "10.2"),
        ("PROD", "QA"),
        form_body(
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
            RevisionPlan("First issue.", read_by=("prod.lead",)),
            RevisionPlan(
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
    DocumentPlan(
        "FRM",
        "Internal audit checklist",
        "auditor",
        "QA",
        ("9.2",),
        (Role.AUDITOR,),
        form_body(
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
        (RevisionPlan("First issue.", read_by=("auditor2", "auditor3")),),
    ),
    DocumentPlan(
        "FRM",
        "Training attendance record",
        "hr.lead",
        "HR",
        ("7.2",),
        ("HR",),
        form_body(
            "Record every training session; trainer and trainees sign.",
            [
                "Topic and documents trained",
                "Date and duration",
                "Trainer",
                "Trainees (name and signature)",
                "How effectiveness will be checked",
            ],
        ),
        (RevisionPlan("First issue."),),
    ),
    DocumentPlan(
        "FRM",
        "Customer complaint form",
        "sales.lead",
        "SALES",
        ("8.2.1", "9.1.2"),
        ("SALES",),
        form_body(
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
        (RevisionPlan("First issue.", ("qa.engineer",), read_by=("sales.rep",)),),
    ),
    DocumentPlan(
        "FRM",
        "Paper change request",
        "qm",
        "QA",
        ("7.5.2",),
        ("QA",),
        form_body(
            "Hand the completed form to the Quality department.",
            ["Document number and title", "Requested by", "What should change, and why", "Decision of the owner"],
        ),
        (RevisionPlan("First issue.", author="qa.engineer"),),
        retire="Change requests are raised in the QMS now; the paper form is taken off the shop floor.",
    ),
    DocumentPlan(
        "REC",
        "Approved supplier list",
        "pur.lead",
        "PUR",
        ("8.4", "8.4.1"),
        ("PUR",),
        SUPPLIER_LIST,
        (
            RevisionPlan("First issue, from the 2025 supplier evaluation.", read_by=("auditor3",)),
            RevisionPlan(
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
    DocumentPlan(
        "REC",
        "Calibration register",
        "qa.engineer",
        "QA",
        ("7.1.5",),
        ("QA", "MAINT"),
        CALIBRATION_REGISTER,
        (RevisionPlan("First issue.", ("maint.lead",), read_by=("maint.tech",)),),
        file="csv",
    ),
    DocumentPlan(
        "REC",
        "Training matrix",
        "hr.lead",
        "HR",
        ("7.2",),
        ("HR",),
        TRAINING_MATRIX,
        (RevisionPlan("First issue."),),
        file="csv",
        restricted=True,
    ),
    DocumentPlan(
        "REC",
        "Cleaning log, filling line 2",
        "prod.lead",
        "PROD",
        ("8.5.1",),
        ("PROD",),
        CLEANING_LOG,
        (RevisionPlan("First issue.", ("qa.engineer",)),),
        file="csv",
    ),
)
