"""The text of the demo documents: procedures, instructions, the manual and the policy, and record templates."""

from __future__ import annotations


def procedure(purpose: str, scope: str, responsibilities: list[str], steps: list[str], records: list[str]) -> str:
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


def form_body(purpose: str, fields: list[str]) -> str:
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

DOCUMENT_CONTROL = procedure(
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

INTERNAL_AUDIT = procedure(
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

COMPLAINTS = procedure(
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

NONCONFORMING = procedure(
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

TRAINING = procedure(
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

CALIBRATION = procedure(
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

SUPPLIERS = procedure(
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
