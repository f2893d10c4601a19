"""The demo audit programme: this year's audits in every state, and the first two of next year.

Seven of eight departments are audited (Human Resources is not: the programme shows the gap), and every top-level
clause but 6 is covered: the audit of risks and objectives was cancelled and moved to next year. Audits that found a
nonconformity stay open, since one cannot close before a CAPA answers each nonconformity.
"""

from __future__ import annotations

from audits.demo.plans import (
    CANCELLED,
    CLOSED,
    CONFORMING,
    IN_PROGRESS,
    MAJOR_NC,
    MINOR_NC,
    NONCONFORMING,
    NOT_APPLICABLE,
    NOT_CHECKED,
    OBS,
    OBSERVATION,
    OFI,
    PLANNED,
    REPORTING,
    Answer,
    AuditPlan,
    FindingPlan,
    When,
)

AUDITS: tuple[AuditPlan, ...] = (
    AuditPlan(
        "Control of documented information",
        "Document control in the electronic QMS and on the shop floor: creation, approval, distribution, periodic "
        "review, obsolete documents and the retention of records. Sample taken in Quality, Production and the "
        "assembly office.",
        "QA",
        ("7.5.2", "7.5.3"),
        "auditor2",
        ("auditor3",),
        ("qm", "qa.engineer"),
        When(elapsed=0.08),
        CLOSED,
        answers={
            "7.5.2": (
                Answer(
                    OBSERVATION,
                    "Sampled the SOP for nonconforming output, the WI for cleaning filling line 2 and the NCR form. "
                    "Each is numbered, its change summary filled in and approved by people other than the author, "
                    "all with electronic signatures in the QMS. The SOP for document control, step 3, still says "
                    "approvals are signed in wet ink on a cover sheet.",
                    FindingPlan(
                        OBS,
                        "The procedure for the control of documented information still describes wet-ink signatures "
                        "on a cover sheet, while approvals have been signed electronically in the QMS since it went "
                        "live. Practice is controlled; the procedure no longer describes it.",
                        requirement="ISO 9001:2015 7.5.2: documented information is reviewed and approved for "
                        "suitability and adequacy; the procedure should describe the method actually used.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "The QMS list of documents due for review shows none overdue. Two periodic reviews of last "
                    "quarter confirmed by their owners with a comment, both in time.",
                    FindingPlan(
                        OFI,
                        "Owners confirm periodic reviews on the last day. A reminder a month ahead, copied to the "
                        "department head, would leave time for a real review instead of a confirmation.",
                    ),
                ),
            ),
            "7.5.3": (
                Answer(
                    CONFORMING,
                    "At assembly station 3 and at press P-12 the printed instructions carry the controlled-copy stamp "
                    "and match the effective revision in the register. The paper issue log lists 14 controlled "
                    "copies; 2 checked, both current.",
                    FindingPlan(
                        OFI,
                        "The paper issue log of controlled copies is kept by hand next to the register in the QMS. "
                        "Issuing controlled copies from the QMS would keep one list and let the recall of superseded "
                        "copies be checked.",
                    ),
                ),
                Answer(
                    OBSERVATION,
                    "A stack of about twenty blank paper change request forms in the drawer of the assembly office. "
                    "The form was retired when change requests moved into the QMS. None filled in since; the shift "
                    "lead did not know it was retired. Forms removed during the audit.",
                    FindingPlan(
                        OBS,
                        "Blank copies of the retired paper change request form were still in the assembly office. "
                        "They were not in use and were removed during the audit, but retirement did not reach the "
                        "places where printed forms are kept.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Asked for last year's NCR on lot 2317 and the management review minutes: both retrieved from "
                    "the QMS in under a minute. Backups run nightly; the restore test of the spring is recorded.",
                ),
            ),
        },
        conclusion="Document control is effective: the documents sampled were current at the point of use, approved "
        "by someone other than their author and reviewed in time. Two observations concern the procedure's "
        "description of signatures and retired forms found in a drawer; two opportunities for improvement concern "
        "review reminders and controlled copies. No nonconformity.",
        close_comment="Report discussed with the Quality Manager in the closing meeting; observations accepted.",
    ),
    AuditPlan(
        "Purchasing and control of external providers",
        "Selection, evaluation and re-evaluation of suppliers, the approved supplier list, purchase orders and "
        "supplier corrective action requests, including the outsourced heat treatment and electropolishing.",
        "PUR",
        ("8.4.1", "8.4.2", "8.4.3"),
        "auditor",
        ("qa.engineer",),
        ("pur.lead", "auditor3"),
        When(elapsed=0.25),
        CLOSED,
        answers={
            "8.4.1": (
                Answer(
                    OBSERVATION,
                    "Sampled Nordic Steel, Alpine Coatings and the heat treatment provider Härterei Brandt. All three "
                    "evaluated this year with scores on file (86, 79, 82). Härterei Brandt is approved in the ERP "
                    "supplier master but is missing from the approved supplier list REC in the QMS.",
                    FindingPlan(
                        OBS,
                        "The heat treatment provider Härterei Brandt was evaluated and approved, and is approved in "
                        "the ERP, but is missing from the approved supplier list in the QMS. The two lists are kept "
                        "separately and have drifted apart.",
                        requirement="Supplier evaluation procedure, step 3: approved suppliers are added to the "
                        "approved supplier list with their scope of supply.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Twenty purchase orders of the last two months checked in the ERP: all to approved suppliers "
                    "within their scope. No order to Metro Fasteners since it was blocked; A4 fasteners now come from "
                    "Kaltenbach's distributor, approved in the spring.",
                ),
            ),
            "8.4.2": (
                Answer(
                    OBSERVATION,
                    "Precision Seals GmbH (score 71) is approved with a development plan after two complaints about "
                    "O-ring flash. The temporary 100 % inspection at goods receipt is in force. The development plan "
                    "lists three actions, none with a date or an owner at the supplier.",
                    FindingPlan(
                        OBS,
                        "The development plan for Precision Seals GmbH lists three actions without dates or owners, "
                        "so neither purchasing nor the supplier can tell when the temporary 100 % inspection may end.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Two supplier corrective action requests this year; both answered with an 8D, both verified by "
                    "the Quality Engineer with a reduced defect rate over three deliveries. Tracked in a spreadsheet "
                    "kept by the Purchasing Manager.",
                    FindingPlan(
                        OFI,
                        "Supplier corrective action requests are tracked in a personal spreadsheet. Raising them in "
                        "the QMS with the finding or NCR that caused them would make their status visible to Quality "
                        "and to the management review.",
                    ),
                ),
            ),
            "8.4.3": (
                Answer(
                    CONFORMING,
                    "Orders state the part number and drawing revision; the order to Alpine Coatings refers to the "
                    "drawing for the surface finish (Ra 0.4 on wetted parts) and to the electropolishing approval.",
                    FindingPlan(
                        OFI,
                        "Orders for electropolishing refer to the drawing for the required surface finish. Quoting "
                        "the roughness (Ra 0.4 µm on wetted surfaces) on the order itself would spare the supplier a "
                        "look-up and make the requirement part of the contract.",
                    ),
                ),
            ),
        },
        conclusion="Purchasing controls its external providers effectively: orders go only to approved suppliers, "
        "evaluations are current and supplier corrective actions are verified. The approved supplier list should be "
        "kept in line with the ERP, and development plans need dates. No nonconformity.",
        close_comment="Closing meeting held with the Purchasing Manager; the list was corrected during the audit.",
    ),
    AuditPlan(
        "Calibration and maintenance of equipment",
        "Calibration of monitoring and measuring equipment in the measuring room, on line 2 and at press P-12; "
        "planned maintenance and breakdowns of production equipment.",
        "MAINT",
        ("7.1.3", "7.1.5"),
        "auditor3",
        ("auditor2",),
        ("maint.lead", "maint.tech"),
        When(elapsed=0.42, length=2),
        CLOSED,
        answers={
            "7.1.3": (
                Answer(
                    CONFORMING,
                    "Maintenance plan for press P-12 and filling line 2 against the job records of the last three "
                    "months: 11 of 11 planned jobs done, two a week late with the reason noted. Plan kept in a "
                    "spreadsheet.",
                    FindingPlan(
                        OFI,
                        "The maintenance plan is a spreadsheet that only the Maintenance Supervisor updates. A "
                        "maintenance module, or at least a shared plan, would keep it running during absences.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Breakdowns recorded on the machine log; the three stops of line 2 caused by the capper clutch "
                    "were analysed and the clutch replaced with a heavier type.",
                ),
            ),
            "7.1.5": (
                Answer(
                    OBSERVATION,
                    "Checked MC-014, MC-022, PG-105, TT-1 and torque wrenches TW-007 and TW-031: all labelled and "
                    "within date. The calibration procedure sets a 6-month interval for every instrument, while the "
                    "register gives 12 months for TT-1, PG-105 and CMM-1 (calibrated externally, interval as "
                    "recommended by the laboratory).",
                    FindingPlan(
                        OBS,
                        "The calibration procedure sets one 6-month interval for all instruments; the register uses "
                        "12 months for the externally calibrated ones. The longer intervals are justified, but the "
                        "procedure does not allow for them.",
                        requirement="Calibration procedure, step 2: instruments are calibrated every 6 months.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Certificates of CalTech Labs (ISO/IEC 17025 accredited) seen for the reference gauge blocks and "
                    "the torque tester TT-1; traceable to the national standards.",
                ),
                Answer(
                    OBSERVATION,
                    "Leak tester LT-3 is 'under repair' in the register since December; the temporary work "
                    "instruction for a manual leak test is in force on line 2. Nobody could say when LT-3 comes back; "
                    "the spare part has no delivery date. No out-of-tolerance results in the sample.",
                    FindingPlan(
                        OBS,
                        "Leak tester LT-3 has been under repair for months with no target date, and the temporary "
                        "manual leak test has become the normal method without being reviewed as such.",
                    ),
                ),
            ),
        },
        conclusion="Measuring equipment is identified, calibrated and traceable, and planned maintenance is done. "
        "The calibration procedure should allow for intervals other than six months, and the long repair of LT-3 "
        "needs a decision. No nonconformity.",
        close_comment="Agreed with the Maintenance Supervisor and the Quality Engineer in the closing meeting.",
    ),
    AuditPlan(
        "Customer communication, order review and complaints",
        "Order review from quote to order confirmation, changes to orders, customer complaints and the customer "
        "satisfaction survey, in Sales and Customer Service.",
        "SALES",
        ("8.2.1", "8.2.3", "9.1.2"),
        "auditor",
        ("auditor3",),
        ("sales.lead", "sales.rep"),
        When(elapsed=0.6),
        CLOSED,
        answers={
            "8.2.1": (
                Answer(
                    OBSERVATION,
                    "Ten complaints of the last quarter sampled: all confirmed within 2 working days. Eight answered "
                    "within 20 working days; two late, each with a delay letter giving a new date, as the procedure "
                    "allows. The new dates are not recorded on the complaint, so whether they were kept cannot be "
                    "seen.",
                    FindingPlan(
                        OBS,
                        "When a complaint answer is delayed, the new date promised to the customer is written in the "
                        "letter but not on the complaint record, so nobody checks that it is kept.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Delay of order SO-1187 (servo motor shortage) told to the customer two weeks ahead by phone "
                    "and confirmed by email; noted on the order.",
                ),
            ),
            "8.2.3": (
                Answer(
                    CONFORMING,
                    "Five orders sampled, among them a special dosing head: each reviewed against the quote and the "
                    "drawing revision, review initialled in the ERP before the confirmation was sent.",
                ),
                Answer(
                    CONFORMING,
                    "Order SO-1203 changed from 316L to Hastelloy wetted parts: change reviewed by Engineering, new "
                    "price and date confirmed, production order revised the same day.",
                ),
            ),
            "9.1.2": (
                Answer(
                    CONFORMING,
                    "Yearly survey sent to 120 customers; 22 answered (18 %). Results in the management review; "
                    "action on delivery information taken.",
                    FindingPlan(
                        OFI,
                        "Fewer than one customer in five answered the satisfaction survey. Asking two questions at "
                        "delivery and after service visits would give more, and more timely, answers.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Monthly complaint statistics by product and customer reported; no trend by cause.",
                    FindingPlan(
                        OFI,
                        "Complaint statistics are counted by product and customer only. Counting them by cause "
                        "(seal, dosing accuracy, transport damage) would show where corrective action pays most.",
                    ),
                ),
            ),
        },
        conclusion="Customer requirements are reviewed before orders are accepted and complaints are handled within "
        "the procedure's limits. One observation on tracking promised dates, two opportunities for improvement on "
        "customer feedback. No nonconformity.",
        close_comment="Closing meeting with the Customer Service Manager; she will add the promised date field.",
    ),
    AuditPlan(
        "Risks, opportunities and quality objectives",
        "How risks and opportunities are determined and addressed, and how the quality objectives are set and "
        "monitored, with the Quality Manager and the department heads.",
        None,
        ("6.1", "6.2"),
        "auditor",
        ("auditor2",),
        ("qm", "ceo"),
        When(elapsed=0.75),
        CANCELLED,
        cancel_reason="The procedure for risks and opportunities is still a draft with the process owners, and the "
        "risk register is being rebuilt; auditing it now would only confirm that. Moved to next year's programme, "
        "first quarter.",
    ),
    AuditPlan(
        "Production control: filling line 2 and press P-12",
        "Production on filling line 2 and press P-12, early and night shifts: work instructions at the workplace, "
        "cleaning between batches, start-up checks, traceability, release of product and the competence of the "
        "operators.",
        "PROD",
        ("7.2", "8.5.1", "8.5.2", "8.6"),
        "auditor",
        ("auditor2",),
        ("prod.lead", "employee", "prod.op3", "prod.op4"),
        When(days=-14, length=2),
        REPORTING,
        answers={
            "7.2": (
                Answer(
                    NONCONFORMING,
                    "Training matrix: Tom Becker 'in training' for the WI cleaning of filling line 2. Cleaning log: "
                    "he cleaned and signed alone on two batch changes in the last two weeks (night shift). The "
                    "supervisor says he was watched by a qualified colleague; nothing recorded.",
                    FindingPlan(
                        MINOR_NC,
                        "An operator not yet qualified for the cleaning of filling line 2 cleaned the line and signed "
                        "the cleaning log alone on two batch changes, with no record of supervision.",
                        requirement="ISO 9001:2015 7.2 a) and d); Competence procedure, step 1: the training matrix "
                        "states who is qualified; people in training work under the supervision of a qualified "
                        "person.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Training on the revised WI for press P-12: effectiveness checked by the supervisor by "
                    "observation at the workplace, recorded on the attendance record for all four operators.",
                ),
            ),
            "8.5.1": (
                Answer(
                    NONCONFORMING,
                    "Observed the start-up check of press P-12, night shift: the light curtain was tested at one "
                    "height instead of three; the check sheet was ticked for all steps. Operator says the three-"
                    "height test 'takes too long with the new guard'.",
                    FindingPlan(
                        MINOR_NC,
                        "The start-up check of press P-12 was not done as instructed: the light curtain was tested "
                        "at one height instead of three, and the check sheet recorded the full test.",
                        requirement="WI Daily start-up check of press P-12, step 3: test the light curtain at three "
                        "heights; ISO 9001:2015 8.5.1 a) and d).",
                    ),
                ),
                Answer(
                    NONCONFORMING,
                    "Cleaning log of filling line 2, last two weeks: 14 batch changes; for 2 of them (batches 0412 "
                    "and 0419) the ATP results are blank, yet the line was released by the shift supervisor.",
                    FindingPlan(
                        MINOR_NC,
                        "Filling line 2 was released after two batch changes without the ATP swab results that the "
                        "work instruction requires before release.",
                        requirement="WI Cleaning of filling line 2, steps 8 and 9: both ATP results below 150 RLU and "
                        "recorded before the shift supervisor releases the line.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Fill weights checked every hour with scale SC-04 (calibrated, within date); the control chart "
                    "is filled in and in control. Manual leak test done and recorded as the temporary WI requires.",
                ),
            ),
            "8.5.2": (
                Answer(
                    CONFORMING,
                    "Traced dosing unit serial DU-0871 back to the O-ring lot, the stainless bar heat number and the "
                    "final test record, and forward to the delivery note. Complete, but took 40 minutes through "
                    "paper travellers.",
                    FindingPlan(
                        OFI,
                        "Tracing one unit back to its material lots took 40 minutes through paper travellers. "
                        "Booking the lots against the serial number in the ERP at assembly would make a recall "
                        "search a matter of minutes.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Inspection status shown by the traveller and by coloured labels; the quarantine cage on line 2 "
                    "is locked and labelled.",
                ),
            ),
            "8.6": (
                Answer(
                    OBSERVATION,
                    "The first-off sample used to release press P-12 carries a part number but no drawing revision; "
                    "the drawing changed to revision D last month. The sample was checked and matches D.",
                    FindingPlan(
                        OBS,
                        "The first-off sample at press P-12 does not show the drawing revision it represents, so an "
                        "operator cannot tell whether it still matches the current drawing.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Release of production order 0388 traced to the first-article inspection record and the final "
                    "inspection, both signed by the inspector; release recorded in the ERP by the supervisor.",
                ),
            ),
        },
        findings=(
            FindingPlan(
                OBS,
                "On the night shift two of the three operators could not say where to find the NCR form or who to "
                "call when a batch is blocked.",
                clause="7.2",
                evidence="Interviews at line 2 and press P-12 during the night shift; the escalation list on the "
                "notice board shows the day-shift numbers only.",
            ),
            FindingPlan(
                OFI,
                "The skills of each operator are visible only in HR's training matrix. A skills board at the line "
                "would let the shift supervisor see at a glance who may clean, set up or release.",
                clause="7.2",
            ),
        ),
        conclusion="Production on line 2 and press P-12 is generally well controlled: work instructions are at the "
        "workplace, traceability is complete and release is recorded. Three minor nonconformities were raised "
        "against the start-up check of P-12, the release of line 2 without ATP results and work by an operator not "
        "yet qualified, all on the night shift. Corrective actions are needed before the audit can close.",
    ),
    AuditPlan(
        "Warehouse: storage, quarantine and nonconforming product",
        "Goods receipt and release of purchased material, storage and shelf life, the quarantine area and the "
        "handling of nonconforming product in the logistics centre, Hall 4.",
        "LOG",
        ("7.5.3", "8.5.4", "8.6", "8.7"),
        "auditor3",
        ("auditor",),
        ("log.lead", "log.clerk"),
        When(days=-8, length=2),
        REPORTING,
        answers={
            "7.5.3": (
                Answer(
                    CONFORMING,
                    "WI goods receipt inspection and the temporary WI for the O-rings at the inspection bench: both "
                    "current revisions.",
                ),
                Answer(
                    NONCONFORMING,
                    "Paper stock cards still in use in cage B (fasteners, seals): 26 cards, last entries this week. "
                    "The WI was retired when stock booking moved to the ERP; cage B quantities are not booked in the "
                    "ERP since.",
                    FindingPlan(
                        MINOR_NC,
                        "The retired paper stock cards are still used in cage B, and stock movements there are no "
                        "longer booked in the ERP.",
                        requirement="ISO 9001:2015 7.5.3.2 d): unintended use of obsolete documented information is "
                        "prevented; stock is booked in the ERP since its go-live.",
                    ),
                ),
                Answer(
                    OBSERVATION,
                    "Records of the 100 % O-ring inspection are kept as loose sheets in a tray at the bench, not "
                    "filed by lot; those of the last month were all found.",
                    FindingPlan(
                        OBS,
                        "The records of the 100 % inspection of O-rings are loose sheets in a tray at the bench. "
                        "Nothing is missing yet, but they are not filed by lot and could be lost.",
                    ),
                ),
            ),
            "8.5.4": (
                Answer(
                    NONCONFORMING,
                    "Shelf-life items: one tube of thread sealant in the issue rack expired two months ago, a newer "
                    "lot on the shelf behind it. No expiry check at issue.",
                    FindingPlan(
                        MINOR_NC,
                        "An expired tube of thread sealant was in the issue rack, ahead of a newer lot: shelf-life "
                        "items are not issued first-expired first-out.",
                        requirement="ISO 9001:2015 8.5.4; WI Handling, storage and delivery: shelf-life items are "
                        "issued first-expired first-out and checked before issue.",
                    ),
                ),
                Answer(
                    CONFORMING,
                    "Electronic assemblies in ESD bags on the ESD rack; export cartons with foam inserts as the "
                    "packing instruction requires.",
                ),
            ),
            "8.6": (
                Answer(
                    CONFORMING,
                    "Goods receipt of stainless bar from Nordic Steel: 3.1 certificate checked against the order, heat "
                    "number copied to the label, released in the ERP by the inspector with her name and the date.",
                ),
                Answer(
                    NOT_APPLICABLE,
                    "First-article inspection of purchased parts is done by Quality in the measuring room, outside "
                    "this audit's scope.",
                ),
            ),
            "8.7": (
                Answer(
                    NONCONFORMING,
                    "Two boxes of O-rings from Precision Seals GmbH (lot PS-24117, 500 pcs each) in general stock "
                    "location B-14-2, without a 100 % inspection record and without a release label. 300 pcs "
                    "already issued to assembly on two production orders. Goods receipt booked them in on a Friday "
                    "afternoon, when the inspector was absent.",
                    FindingPlan(
                        MAJOR_NC,
                        "O-rings under mandatory 100 % inspection were put into general stock uninspected, and 300 "
                        "of them were issued to assembly. The control set up after repeated supplier defects failed "
                        "as soon as the inspector was absent.",
                        requirement="ISO 9001:2015 8.7.1 and 8.4.2; temporary WI 100 % inspection of O-rings from "
                        "Precision Seals GmbH: no O-ring of this supplier is stored or issued before it is inspected.",
                    ),
                ),
                Answer(
                    OBSERVATION,
                    "Five NCRs sampled, each with a disposition and who authorised it. On the quarantine shelf, four "
                    "parts whose NCRs were closed as 'scrap' three weeks ago are still waiting.",
                    FindingPlan(
                        OBS,
                        "Product dispositioned as scrap three weeks ago is still on the quarantine shelf, which is "
                        "full; new nonconforming product has no room to be segregated.",
                    ),
                ),
                Answer(
                    NOT_APPLICABLE,
                    "No product was used as is under concession in the period audited.",
                ),
            ),
        },
        findings=(
            FindingPlan(
                OFI,
                "Shelf life is checked by eye at the rack. Flagging shelf-life items in the ERP thirty days before "
                "they expire would catch them before they reach the issue rack.",
                clause="8.5.4",
            ),
        ),
        conclusion="Storage and handling in Hall 4 are generally orderly, but the control of suspect product is not "
        "robust: O-rings under mandatory inspection reached assembly uninspected (major nonconformity; containment "
        "started during the audit, both production orders blocked). Two minor nonconformities concern obsolete stock "
        "cards and shelf-life control. The audit stays open until corrective actions are raised and the containment "
        "is confirmed.",
    ),
    AuditPlan(
        "Design and development, and control of changes",
        "Design reviews, verification and design changes in the dosing head project DH-40, and changes to "
        "production processes released by Engineering.",
        "ENG",
        ("8.3.4", "8.3.6", "8.5.6"),
        "qa.engineer",
        ("auditor3",),
        ("eng.lead", "eng.design", "eng.process"),
        When(days=-1, length=3),
        IN_PROGRESS,
        answers={
            "8.3.4": (
                Answer(
                    NONCONFORMING,
                    "Design plan DH-40 has reviews at gates 1, 2 and 3. Gate 1 minutes on file. Gate 2 (design "
                    "freeze) is marked 'passed' in the plan, but no minutes, no participants, no action list; the "
                    "project moved on to prototype orders.",
                    FindingPlan(
                        MINOR_NC,
                        "The gate 2 design review of the dosing head DH-40 is marked as passed, but there is no "
                        "record of the review, who took part or the actions it decided.",
                        requirement="ISO 9001:2015 8.3.4 b) and f): reviews are conducted as planned and documented "
                        "information of these activities is retained.",
                    ),
                ),
                Answer(
                    OBSERVATION,
                    "Gate 1 review attended by Engineering and Sales only; Production and Quality not invited, "
                    "although the design plan names them.",
                    FindingPlan(
                        OBS,
                        "Production and Quality, named in the design plan as participants, were not invited to the "
                        "first design review of DH-40.",
                    ),
                ),
            ),
            "8.3.6": (
                Answer(
                    NOT_CHECKED,
                    "Asked for the change log of DH-40; Daniel Moreau is collecting it for tomorrow morning.",
                ),
            ),
            "8.5.6": (
                Answer(
                    CONFORMING,
                    "Two process changes sampled (new nozzle type on line 2, new press tool insert): both reviewed "
                    "with a risk assessment, authorised by the Engineering Manager and Quality, first-off approved.",
                    FindingPlan(
                        OFI,
                        "Process changes are reviewed well, but their risk assessments are Word files in a project "
                        "folder. A link from the change to its risk assessment in the QMS would make them findable "
                        "at the next audit or complaint.",
                    ),
                ),
            ),
        },
    ),
    AuditPlan(
        "Context, leadership and management review",
        "Interview with the Managing Director and the Quality Manager: context and interested parties, the process "
        "map, leadership, the quality policy, and the last management review with its inputs and decisions.",
        None,
        ("4.1", "4.4", "5.1", "5.2", "9.1.3", "9.3", "10.3"),
        "auditor2",
        ("auditor3",),
        ("ceo", "qm"),
        When(days=7),
        PLANNED,
    ),
    AuditPlan(
        "Internal audit and corrective action",
        "The audit programme, its coverage and the impartiality of the auditors; the follow-up of findings and the "
        "effectiveness of corrective actions. Led by an auditor from Engineering; audits led by members of this "
        "audit team are not sampled.",
        "QA",
        ("9.2", "10.2"),
        "auditor2",
        ("auditor3",),
        ("qm", "auditor"),
        When(days=14),
        PLANNED,
    ),
    AuditPlan(
        "Competence, awareness and communication on the shop floor",
        "Qualification of operators against the training matrix, induction of new and temporary staff, and how "
        "changes and quality results reach the early, late and night shifts.",
        "PROD",
        ("7.2", "7.3", "7.4"),
        "auditor3",
        ("auditor",),
        ("prod.lead", "prod.op2"),
        When(days=24),
        PLANNED,
    ),
    AuditPlan(
        "Planning: risks, opportunities, objectives and changes",
        "Moved from this year's programme, where it was cancelled: the rebuilt risk register, the quality objectives "
        "and their monitoring, and the planning of changes to the QMS.",
        None,
        ("6.1", "6.2", "6.3"),
        "auditor",
        ("auditor2",),
        ("qm", "ceo"),
        When(next_year=(1, 20)),
        PLANNED,
    ),
    AuditPlan(
        "Production follow-up: effectiveness of corrective actions",
        "Follow-up of this year's production audit: whether the corrective actions for the start-up checks, the "
        "release after cleaning and the supervision of operators in training are in place and effective.",
        "PROD",
        ("7.2", "8.5.1"),
        "auditor2",
        ("auditor3",),
        ("prod.lead",),
        When(next_year=(3, 10)),
        PLANNED,
    ),
)
