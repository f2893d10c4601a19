"""The demo CAPAs still being worked on: open, investigating, implementing and verifying, some of them overdue.

Six answer the nonconformities of the two audits waiting in reporting, so that those audits can close; they were
raised today, when the audits were reported. The O-ring supplier's CAPA failed its effectiveness check and is being
implemented again. Three actions change controlled documents: two were done today when their revisions became
effective, one waits for its approver.
"""

from __future__ import annotations

from capa.demo.log import TORQUE_WRENCH, WRONG_LABELS
from capa.demo.plans import (
    FISHBONE,
    FIVE_WHYS,
    HIGH,
    IMPLEMENTING,
    INVESTIGATING,
    MACHINE,
    MATERIAL,
    MEASUREMENT,
    METHOD,
    OPEN,
    PEOPLE,
    SUPPLIER,
    VERIFYING,
    ActionPlan,
    Analysis,
    CapaPlan,
    CheckPlan,
    RevisionPlan,
)

IN_PROGRESS: tuple[CapaPlan, ...] = (
    # --- Verifying ------------------------------------------------------------------------------------------------
    CapaPlan(
        -126,
        "maint.lead",
        60,
        nonconformity=TORQUE_WRENCH,
        investigating=-125,
        analyses=(
            Analysis(
                -119,
                FIVE_WHYS,
                (
                    ("Why did TW-17 read 9 % low at 60 Nm?", "Its spring mechanism was damaged."),
                    (
                        "Why was it damaged?",
                        "It fell from the workbench at station 3, and the operator went on using it.",
                    ),
                    (
                        "Why was it used after the fall?",
                        "The instruction asks for a check at the start of the shift only, not after a drop.",
                    ),
                    (
                        "Why did the next start-of-shift checks not catch it?",
                        "They are made at 25 Nm, the setting of the housing bolts, where the damaged wrench still "
                        "read within limits.",
                    ),
                ),
                "Nothing takes a dropped torque wrench out of use until it is checked, and the start-of-shift check "
                "at the lowest setting of the job does not reveal damage at the top of the range.",
                MEASUREMENT,
            ),
        ),
        actions=(
            ActionPlan(
                "Check the breakaway torque of the DH-30 flange bolts tightened with TW-17 since its last good "
                "calibration.",
                "prod.op3",
                -118,
                14,
                done=-110,
                evidence="20 of 180 dosing heads sampled: flange bolts at 51.8 to 56.2 Nm against a minimum of 50 Nm. "
                "Product accepted; report in the NCR file.",
            ),
            ActionPlan(
                "Tether the torque wrenches at the assembly stations.",
                "maint.tech",
                -118,
                30,
                done=-96,
                evidence="Tethers on all 14 station wrenches; photo on the maintenance board.",
            ),
            ActionPlan(
                "Change the torque wrench instruction: a dropped wrench goes to the red box at once and is checked on "
                "TT-2 before it is used again.",
                "maint.lead",
                0,
                14,
                done=0,
                document="Checking and calibrating torque wrenches",
                revision=RevisionPlan(
                    "A dropped or knocked wrench is taken out of use and checked on TT-2 before it is used again.",
                    (
                        (
                            "If not, put the wrench in the red box and take a spare.",
                            "If not, or if the wrench was dropped or knocked, put it in the red box at once and take "
                            "a spare; Maintenance checks it on TT-2 before it is used again.",
                        ),
                    ),
                    "qa.engineer",
                ),
            ),
        ),
        implementing=(-117,),
        checks=(
            CheckPlan(
                0,
                "No torque wrench out of tolerance at the next two quarterly calibrations, and every dropped wrench "
                "checked before reuse.",
            ),
        ),
        ends=VERIFYING,
    ),
    CapaPlan(
        -75,
        "maint.lead",
        50,
        title="Leak tester LT-3 down for four weeks: final test done by hand",
        department="QA",
        clause="7.1.3",
        problem="The pressure sensor of leak tester LT-3 failed and the tester stood for four weeks waiting for a "
        "spare part. Final leak testing was done by hand under a temporary instruction at a third of the rate; 220 "
        "units were delivered late.",
        containment="Temporary instruction for the manual leak test issued; overtime at final test.",
        investigating=-74,
        analyses=(
            Analysis(
                -68,
                FISHBONE,
                {
                    "machine": ("Pressure sensor failed after nine years", "One leak tester for the whole final test"),
                    "method": (
                        "No critical spare parts defined for test equipment",
                        "LT-3's maintenance plan covers its calibration only",
                    ),
                    "environment": ("The sensor model is discontinued: four weeks' lead time",),
                },
                "Test equipment that the whole output depends on has no list of critical spare parts, so a failed, "
                "discontinued sensor stopped LT-3 for weeks.",
                MACHINE,
            ),
        ),
        actions=(
            ActionPlan(
                "Define critical spare parts for LT-3 and the other final-test equipment, and keep them in stock.",
                "maint.lead",
                -67,
                30,
                done=-40,
                evidence="Critical spares list for six test stations; two pressure sensors of the new model, with "
                "adapter plates, in store M-3.",
            ),
            ActionPlan(
                "Validate the new sensor model on LT-3 and file the validation report.",
                "eng.process",
                -67,
                30,
                done=-32,
                evidence="30 repeats against the 0.5 ml/min master leak, gauge R&R 8 %; report filed with the "
                "equipment record.",
            ),
        ),
        implementing=(-66,),
        checks=(
            CheckPlan(
                -31,
                "A planned sensor swap on LT-3 done within one shift, and no final-test stop longer than a day.",
                planned_in=26,
            ),
        ),
        ends=VERIFYING,
    ),
    # --- Implementing ---------------------------------------------------------------------------------------------
    CapaPlan(
        -120,
        "pur.lead",
        90,
        title="Repeated cut O-rings from Precision Seals GmbH",
        source=SUPPLIER,
        severity=HIGH,
        department="PUR",
        clause="8.4.2",
        problem="Three deliveries in two months from Precision Seals GmbH had O-rings cut at the parting line (1.2 %, "
        "2.4 % and 3.1 %). A cut O-ring makes the dosing head leak; two units leaked at final test.",
        containment="Every O-ring from this supplier inspected at goods receipt under a temporary instruction; stock "
        "at the line inspected.",
        investigating=-119,
        analyses=(
            Analysis(
                -112,
                FIVE_WHYS,
                (
                    (
                        "Why are O-rings cut?",
                        "The supplier trims the flash at the parting line by hand, and the knife cuts some rings.",
                    ),
                    ("Why by hand?", "The supplier's cryogenic deflashing machine has been out of order since spring."),
                    (
                        "Why did we not know?",
                        "Our supplier evaluation looks at delivery performance and certificates, not at changes to the "
                        "supplier's process.",
                    ),
                ),
                "The supplier changed its deflashing without telling us, and our evaluation does not ask about "
                "process changes.",
                MATERIAL,
            ),
            Analysis(
                -48,
                FISHBONE,
                {
                    "material": ("Flash at the parting line of the supplier's new mould", "Hand trimming cuts rings"),
                    "machine": ("The repaired deflashing machine does not reach the flash of the new mould",),
                    "method": (
                        "Our supplier evaluation does not ask about process or tooling changes",
                        "One source for every O-ring size",
                    ),
                    "measurement": ("The supplier's outgoing inspection is visual at 2x: cuts under 0.5 mm pass",),
                },
                "The supplier's new mould leaves flash that neither its repaired deflashing nor its visual outgoing "
                "inspection deal with, and with a single source we had no alternative.",
                MATERIAL,
            ),
        ),
        actions=(
            ActionPlan(
                "Ask Precision Seals for an 8D report and a date for the repair of its deflashing machine.",
                "pur.lead",
                -111,
                21,
                done=-98,
                evidence="8D report received: machine repaired, hand trimming stopped. Reviewed with the Quality "
                "Engineer.",
            ),
            ActionPlan(
                "Inspect every O-ring from Precision Seals at goods receipt until three deliveries in a row are free "
                "of cuts.",
                "qa.engineer",
                -111,
                30,
                done=-100,
                evidence="Temporary instruction in force at goods receipt; results recorded for each delivery.",
            ),
            ActionPlan(
                "Qualify a second source for the O-rings of the dosing heads.",
                "pur.lead",
                -46,
                60,
            ),
            ActionPlan(
                "Audit moulding, deflashing and outgoing inspection at Precision Seals on site.",
                "auditor3",
                -46,
                30,
            ),
            ActionPlan(
                "Add 'changes to process, tooling or sub-suppliers' to the supplier evaluation questionnaire.",
                "pur.lead",
                -46,
                21,
                done=-30,
                evidence="Question 14 added; sent to all 23 approved suppliers with this year's evaluation.",
            ),
        ),
        implementing=(-110, -45),
        checks=(
            CheckPlan(
                -97,
                "Three deliveries in a row from Precision Seals with less than 0.1 % cut O-rings at the 100 % "
                "inspection.",
                planned_in=45,
                signed=-52,
                effective=False,
                comment="Deliveries after the repair still had 1.9 % and 2.2 % cut O-rings (lot PS-23988 among them). "
                "The repair did not remove the cause: the flash comes from the supplier's new mould.",
            ),
        ),
        ends=IMPLEMENTING,
    ),
    CapaPlan(
        -50,
        "maint.lead",
        40,
        title="Pressure gauges on production equipment missing from the calibration register",
        department="MAINT",
        clause="7.1.5",
        problem="While calibrating the hydraulic unit of press P-12, Maintenance found 17 pressure gauges on "
        "production equipment that are not in the calibration register and were never calibrated; some are used to set "
        "process parameters.",
        containment="The six gauges used to set process parameters checked against a reference gauge: all within 2 % "
        "of full scale.",
        investigating=-49,
        analyses=(
            Analysis(
                -42,
                FIVE_WHYS,
                (
                    ("Why are 17 gauges not in the register?", "They came with the machines and were not registered."),
                    (
                        "Why were they not registered?",
                        "Equipment acceptance does not include registering the instruments built into a machine.",
                    ),
                    (
                        "Why not?",
                        "The acceptance checklist covers the machine's function; the calibration procedure covers "
                        "instruments bought as such.",
                    ),
                ),
                "Instruments built into machines are not captured at equipment acceptance, so they never reach the "
                "calibration register.",
                MEASUREMENT,
            ),
        ),
        actions=(
            ActionPlan(
                "Register the 17 gauges, label them and calibrate the six used to set process parameters.",
                "maint.tech",
                -41,
                21,
                done=-25,
                evidence="17 gauges registered as PG-101 to PG-117; six calibrated with certificates, eleven labelled "
                "'indication only'.",
            ),
            ActionPlan(
                "Add 'register built-in measuring instruments' to the equipment acceptance checklist.",
                "eng.lead",
                -41,
                21,
            ),
            ActionPlan(
                "Walk all production equipment for other unregistered instruments.",
                "maint.lead",
                -41,
                30,
            ),
        ),
        implementing=(-40,),
        ends=IMPLEMENTING,
    ),
    CapaPlan(
        -40,
        "prod.lead",
        45,
        nonconformity=WRONG_LABELS,
        investigating=-39,
        analyses=(
            Analysis(
                -33,
                FISHBONE,
                {
                    "method": (
                        "The label is picked by hand from a list where DU-200 and DU-250 sit side by side",
                        "The first-label check at order change compares the serial range only, not the variant",
                    ),
                    "people": ("An operator covering from another line",),
                    "material": ("DU-200 and DU-250 units and cartons look the same",),
                },
                "The label is picked by hand from a list where the variants sit side by side, and the first-label "
                "check introduced after the serial-number misprints compares serial numbers only, not the variant.",
                METHOD,
            ),
        ),
        actions=(
            ActionPlan(
                "Print the label from the scanned production order instead of picking the variant from a list.",
                "eng.process",
                -32,
                30,
                done=-12,
                evidence="The label software reads the variant from the order barcode; picking by hand is switched "
                "off.",
            ),
            ActionPlan(
                "Brief the packing operators of every shift on the revised labelling instruction.",
                "prod.lead",
                -32,
                40,
            ),
            ActionPlan(
                "Change the labelling instruction: a second person checks the first label of each order for variant, "
                "part number and serial range.",
                "prod.lead",
                0,
                14,
                done=0,
                document="Labelling of finished goods",
                revision=RevisionPlan(
                    "A second person checks the first label of each order for variant, part number and serial range "
                    "(complaint of Alpenquell Getränke AG).",
                    (
                        (
                            "never write labels by hand.",
                            "never write labels by hand. A second person checks the first label of each order against "
                            "the order (variant, part number, serial range) and initials the order.",
                        ),
                    ),
                    "qa.engineer",
                ),
            ),
        ),
        implementing=(-31,),
        ends=IMPLEMENTING,
    ),
    CapaPlan(
        0,
        "qa.engineer",
        30,
        finding="O-rings under mandatory 100 % inspection were put into general stock",
        containment="Both production orders blocked; the 700 O-rings left of lot PS-24117 moved to quarantine; the "
        "dosing heads built with the 300 issued are on hold.",
        investigating=0,
        analyses=(
            Analysis(
                0,
                FIVE_WHYS,
                (
                    (
                        "Why did uninspected O-rings reach general stock?",
                        "Goods receipt booked them in on a Friday afternoon, when the inspector was absent.",
                    ),
                    (
                        "Why could they be booked into general stock?",
                        "The ERP lets any location be chosen; the 100 % inspection exists only on paper at the bench.",
                    ),
                    (
                        "Why only on paper?",
                        "The temporary instruction was issued in a hurry and goods receipt's own instruction was not "
                        "changed with it.",
                    ),
                ),
                "The 100 % inspection depends on the inspector being there, because nothing in the ERP or in the "
                "goods receipt instruction stops uninspected parts from going into stock.",
                METHOD,
            ),
        ),
        actions=(
            ActionPlan(
                "Inspect the 700 O-rings left of lot PS-24117 and check the dosing heads built with the 300 issued.",
                "prod.op3",
                0,
                7,
            ),
            ActionPlan(
                "Change the goods receipt instruction: parts under 100 % inspection are booked to quarantine location "
                "Q-IN and released only by the inspector.",
                "log.lead",
                0,
                21,
                document="Goods receipt inspection",
                revision=RevisionPlan(
                    "Parts under 100 % inspection are booked to quarantine location Q-IN and released by the "
                    "inspector only (major nonconformity of the warehouse audit).",
                    (
                        (
                            "Parts on the sampling plan go to the inspection shelf with a yellow tag.",
                            "Parts on the sampling plan go to the inspection shelf with a yellow tag. Parts under "
                            "100 % inspection are booked to quarantine location Q-IN, from which the ERP issues "
                            "nothing; only the inspector releases them to stock.",
                        ),
                    ),
                    "qa.engineer",
                    signed=False,
                ),
                done=0,
            ),
        ),
        implementing=(0,),
        ends=IMPLEMENTING,
    ),
    # --- Investigating --------------------------------------------------------------------------------------------
    CapaPlan(
        -30,
        "prod.op3",
        60,
        title="Quality alerts do not reach the night shift",
        department="PROD",
        clause="7.4",
        problem="Two quality alerts last month (a blocked O-ring lot, the new torque setting for DH-30) were posted on "
        "the day-shift board only; the night shift worked two more nights to the old settings. Found when night-shift "
        "travellers showed the old torque value.",
        containment="Night shift briefed in person by the Production Supervisor; the affected units re-torqued.",
        investigating=-28,
        analyses=(
            Analysis(
                -20,
                FISHBONE,
                {
                    "people": ("No supervisor on site after 22:00",),
                    "method": (
                        "Alerts are handed over by word of mouth at the 14:00 shift change only",
                        "No read-and-sign for quality alerts",
                    ),
                    "environment": ("The alert board hangs in the day-shift office, locked at night",),
                },
            ),
        ),
        actions=(
            ActionPlan(
                "Post every quality alert at the line entrance as well, with a read-and-sign list per shift.",
                "prod.lead",
                -19,
                14,
            ),
        ),
        ends=INVESTIGATING,
    ),
    CapaPlan(
        0,
        "prod.lead",
        45,
        finding="An operator not yet qualified for the cleaning of filling line 2",
        investigating=0,
        analyses=(
            Analysis(
                0,
                FIVE_WHYS,
                (
                    (
                        "Why did Tom Becker clean line 2 alone?",
                        "He was the only one on the night crew trained on the cleaning, even though not yet qualified.",
                    ),
                    (
                        "Why was nobody qualified on the night shift?",
                        "The two qualified operators moved to the early shift in the summer rota.",
                    ),
                    ("Why was that not noticed?", "The rota is planned by headcount, without the training matrix."),
                ),
                "The shift rota is planned without the training matrix, so the night crew had nobody qualified to "
                "clean line 2 or to supervise a trainee.",
                PEOPLE,
            ),
        ),
        actions=(
            ActionPlan(
                "Plan the shift rota against the training matrix: at least one qualified cleaner per shift on line 2.",
                "prod.lead",
                0,
                21,
            ),
        ),
        ends=INVESTIGATING,
    ),
    CapaPlan(
        0,
        "employee",
        45,
        finding="The start-up check of press P-12 was not done as instructed",
        investigating=0,
        analyses=(
            Analysis(
                0,
                FIVE_WHYS,
                (
                    (
                        "Why was the light curtain tested at one height?",
                        "With the new guard the top test position can only be reached by unbolting it, which takes "
                        "minutes.",
                    ),
                    (
                        "Why does the guard cover the test position?",
                        "The guard was changed in spring without reviewing the start-up check.",
                    ),
                    (
                        "Why did the check sheet show the full test?",
                        "The sheet has one tick box for the whole light-curtain test.",
                    ),
                ),
                "The new guard made the top test position hard to reach, the start-up check was not reviewed for it, "
                "and one tick box for the whole test hides a partial one.",
                METHOD,
            ),
        ),
        ends=INVESTIGATING,
    ),
    # --- Open -----------------------------------------------------------------------------------------------------
    CapaPlan(
        -14,
        "eng.process",
        45,
        title="Press tool set up from a superseded drawing",
        department="ENG",
        clause="7.5.3",
        problem="The setter used a printout of drawing 4471 revision C to set the new tool insert on press P-12; "
        "revision D had moved a hole by 0.8 mm. First-off inspection caught it; 30 parts scrapped.",
        containment="Printouts of superseded drawings collected from the press area (five found); setters told to use "
        "the terminal at the press.",
        ends=OPEN,
    ),
    CapaPlan(
        0,
        "qa.engineer",
        45,
        finding="Filling line 2 was released after two batch changes without the ATP",
        containment="Batches 0412 and 0419 traced: swab results of the following batch changes were in limits; "
        "released product kept under observation.",
        ends=OPEN,
    ),
    CapaPlan(
        0,
        "log.lead",
        45,
        finding="The retired paper stock cards are still used in cage B",
        containment="Stock of cage B counted and booked into the ERP; the paper cards collected.",
        ends=OPEN,
    ),
    CapaPlan(
        0,
        "log.lead",
        45,
        finding="An expired tube of thread sealant was in the issue rack",
        containment="Expired sealant scrapped; all shelf-life items in the issue racks checked, none other expired.",
        ends=OPEN,
    ),
)
