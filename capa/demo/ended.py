"""The demo CAPAs that have ended: seven closed effective over the last seven months, two cancelled with a reason.

One of the closed ones, the underfilling on filling line 2, failed its first effectiveness check and was closed after
a second round of actions; its failed check stays on the record. A CAPA's due date covers its effectiveness check, so
five of the seven closed by their due date; that one and the damaged pallets closed late.
"""

from __future__ import annotations

from capa.demo.log import STAINLESS_BAR, UNDERFILLED
from capa.demo.plans import (
    CANCELLED,
    CLOSED,
    COMPLAINT,
    FISHBONE,
    FIVE_WHYS,
    LOW,
    MACHINE,
    MATERIAL,
    MEASUREMENT,
    METHOD,
    PEOPLE,
    PREVENTIVE,
    ActionPlan,
    Analysis,
    CapaPlan,
    CheckPlan,
)

ENDED: tuple[CapaPlan, ...] = (
    # --- Closed ---------------------------------------------------------------------------------------------------
    CapaPlan(
        -205,
        "qa.engineer",
        120,
        title="Calibration recall missed: scale SC-02 used three weeks past its due date",
        department="QA",
        clause="7.1.5",
        problem="On a walk-round the Quality Manager found scale SC-02 (fill-weight checks on filling line 1) in use "
        "22 days past its calibration due date. The calibration register showed it as due; nobody had been told.",
        containment="SC-02 withdrawn and calibrated the same day: in tolerance (+0.3 g at 500 g), so no product was "
        "affected.",
        investigating=-203,
        analyses=(
            Analysis(
                -198,
                FIVE_WHYS,
                (
                    ("Why was SC-02 used past its due date?", "Nobody recalled it when it fell due."),
                    (
                        "Why was it not recalled?",
                        "The calibration register is a spreadsheet that is opened when an audit is coming.",
                    ),
                    (
                        "Why is it not watched?",
                        "Recalling instruments is nobody's task: Maintenance thought Quality did it, and Quality "
                        "thought Maintenance did.",
                    ),
                    (
                        "Why is it nobody's task?",
                        "The calibration procedure says instruments are calibrated at their interval, not who watches "
                        "the due dates.",
                    ),
                ),
                "The calibration procedure gives nobody the job of watching due dates and recalling instruments, so "
                "recall depends on chance.",
                MEASUREMENT,
            ),
        ),
        actions=(
            ActionPlan(
                "Run a recall list from the calibration register on the first working day of each month and recall "
                "every instrument due in the month.",
                "maint.lead",
                -197,
                21,
                done=-180,
                evidence="Recall list run on the first working day of the month since; the first lists with their "
                "sign-off are filed in the calibration folder.",
            ),
            ActionPlan(
                "Put a due-date label on every instrument and brief inspectors and operators to check it before use.",
                "prod.op3",
                -197,
                30,
                done=-175,
                evidence="Labels on all 64 instruments of the register; 9 inspectors and operators briefed, attendance "
                "record with HR.",
            ),
        ),
        implementing=(-196,),
        checks=(
            CheckPlan(
                -174,
                "No instrument found in use past its due date at the monthly recalls and at two unannounced "
                "walk-rounds.",
                planned_in=60,
                signed=-112,
                comment="Three monthly recall lists complete; two walk-rounds found no instrument past its date.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -194,
        "pur.lead",
        120,
        nonconformity=STAINLESS_BAR,
        investigating=-193,
        analyses=(
            Analysis(
                -188,
                FIVE_WHYS,
                (
                    (
                        "Why was the bar booked in without a certificate?",
                        "Goods receipt checks quantity and part number; the certificate is checked at incoming "
                        "inspection.",
                    ),
                    ("Why could the bar be cut before that?", "Booked-in stock is free for use in the ERP."),
                    (
                        "Why did the certificate not come with the bar?",
                        "Nordic Steel e-mails certificates to the address of a buyer who left in January.",
                    ),
                    (
                        "Why was the address not updated?",
                        "Suppliers are not told where certificates go; each used the contact it knew.",
                    ),
                ),
                "Material that needs a certificate is free for use as soon as it is booked in, and suppliers send "
                "certificates to personal addresses that go out of date.",
                MATERIAL,
            ),
        ),
        actions=(
            ActionPlan(
                "Book material that needs a 3.1 certificate into inspection stock, blocked in the ERP until Quality "
                "releases it.",
                "log.lead",
                -187,
                30,
                done=-165,
                evidence="Stock type 'Q' set for the 112 part numbers that need a certificate; tried with two "
                "deliveries: nothing can be issued before release.",
            ),
            ActionPlan(
                "Give Nordic Steel and the other bar suppliers the quality mailbox for certificates, and print it on "
                "the purchase order.",
                "pur.lead",
                -187,
                14,
                done=-181,
                evidence="All five bar suppliers confirmed in writing; the order template prints the quality mailbox "
                "under 'Certificates to'.",
            ),
            ActionPlan(
                "Ask Nordic Steel to upload certificates to our supplier portal.",
                "pur.lead",
                -187,
                30,
                cancelled=-170,
                cancel_reason="Nordic Steel does not use customer portals; certificates e-mailed to the quality "
                "mailbox do the same job.",
            ),
        ),
        implementing=(-186,),
        checks=(
            CheckPlan(
                -164,
                "Every delivery of certificate-bound material in the next two months has its certificate before the "
                "material is used.",
                planned_in=60,
                signed=-103,
                comment="31 deliveries checked: every certificate was in the quality mailbox before release.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -190,
        "prod.lead",
        90,
        title="Label printer on packing line 1 prints serial numbers of the previous order",
        department="PROD",
        clause="8.5.2",
        problem="On three days of one week the label printer at packing line 1 printed serial numbers of the previous "
        "production order after an order change. Dispatch found 41 cartons with the wrong serial range.",
        containment="The 41 cartons relabelled after a full check at dispatch; the shipping clerk compares label and "
        "order on every pallet until further notice.",
        investigating=-189,
        analyses=(
            Analysis(
                -185,
                FISHBONE,
                {
                    "method": (
                        "The print queue is not cleared at an order change",
                        "Nobody checks the first label of a new order",
                    ),
                    "machine": ("The printer keeps the last job in its buffer after running out of labels",),
                    "people": ("Operators new to line 1 did not know the reset step",),
                },
                "At an order change nothing requires the print queue to be cleared or the first label to be checked, "
                "so a buffered job from the previous order is printed unnoticed.",
                METHOD,
            ),
        ),
        actions=(
            ActionPlan(
                "Set the label software to clear the print queue when a new production order is loaded.",
                "eng.process",
                -184,
                20,
                done=-170,
                evidence="'Clear queue on order load' switched on for both printers; tried with three order changes, "
                "no old label printed.",
            ),
            ActionPlan(
                "Add 'check the first label's serial number against the order' to the order-change checklist at "
                "packing.",
                "prod.lead",
                -184,
                14,
                done=-178,
                evidence="Checklist updated and in use at line 1; first-label checks recorded on it since.",
            ),
        ),
        implementing=(-183,),
        checks=(
            CheckPlan(
                -169,
                "No label with a wrong serial number found at dispatch or by a customer for six weeks.",
                planned_in=45,
                signed=-124,
                comment="Six weeks of dispatch checks without a wrong serial range; no complaint.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -170,
        "eng.process",
        120,
        nonconformity=UNDERFILLED,
        investigating=-169,
        analyses=(
            Analysis(
                -163,
                FISHBONE,
                {
                    "machine": (
                        "Nozzles on heads 3 and 7 worn: bore 0.4 mm over nominal",
                        "Nozzles are replaced only when they visibly drip",
                    ),
                    "method": ("Fill weight checked hourly: a drift between two checks goes unnoticed",),
                    "material": ("Viscosity of batch 0311 at the low end of the specification",),
                },
                "Worn filling nozzles deliver less product per stroke, and they are replaced only when they drip.",
                MACHINE,
            ),
            Analysis(
                -103,
                FIVE_WHYS,
                (
                    (
                        "Why were batches 0352 and 0367 underfilled?",
                        "The nozzles of heads 2 and 9 had worn 0.3 mm over nominal in six weeks.",
                    ),
                    (
                        "Why do the new nozzles wear so fast?",
                        "Line 2 now also fills the mineral suspension, which is abrasive.",
                    ),
                    (
                        "Why was that not foreseen?",
                        "The nozzles are standard stainless steel, chosen before the suspension; the new product "
                        "was not reviewed for its effect on the filler.",
                    ),
                    (
                        "Why did the first replacement not help?",
                        "Like-for-like nozzles restore the fill but not the life; nothing checks wear between "
                        "replacements.",
                    ),
                ),
                "Standard steel nozzles wear quickly on the abrasive mineral suspension, introduced without a review "
                "of the filler, and no check catches the wear between replacements.",
                MACHINE,
            ),
        ),
        actions=(
            ActionPlan(
                "Replace the filling nozzles on all twelve heads of line 2.",
                "maint.tech",
                -162,
                14,
                done=-152,
                evidence="Twelve new nozzles fitted (order 4410-22); fill weights of the first three batches within "
                "±2 g.",
            ),
            ActionPlan(
                "Check fill weights every 30 minutes instead of hourly until the CAPA is closed.",
                "prod.lead",
                -162,
                7,
                done=-158,
                evidence="Frequency changed on the control plan and the check sheet; records complete since.",
            ),
            ActionPlan(
                "Fit tungsten-carbide nozzles on all heads of line 2.",
                "eng.process",
                -102,
                30,
                done=-85,
                evidence="Carbide nozzles fitted on all twelve heads, supplier's test report on file; bores "
                "measured after four weeks: no measurable wear.",
            ),
            ActionPlan(
                "Add a monthly check of the nozzle bores with a plug gauge to the maintenance plan of line 2.",
                "maint.lead",
                -102,
                21,
                done=-90,
                evidence="Task PM-L2-17 in the maintenance plan; the first two checks recorded.",
            ),
        ),
        implementing=(-161, -101),
        checks=(
            CheckPlan(
                -151,
                "No underfilled batch on line 2 for six weeks.",
                planned_in=45,
                signed=-106,
                effective=False,
                comment="Batches 0352 and 0367 were underfilled again, on heads 2 and 9, six weeks after the nozzle "
                "change: the new nozzles wore as fast as the old ones.",
            ),
            CheckPlan(
                -84,
                "No underfilled batch on line 2 for eight weeks, and nozzle bores within 0.1 mm at the monthly checks.",
                planned_in=60,
                signed=-22,
                comment="Eight weeks without an underfilled batch; bores within 0.05 mm at both monthly checks.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -160,
        "hr.lead",
        90,
        title="Agency workers on filling line 1 without a recorded induction",
        department="HR",
        clause="7.2",
        problem="A spot check of the training matrix found four agency workers on filling line 1 without an induction "
        "record; two had worked there for three weeks. The agency's safety training was on file, our product and "
        "hygiene induction was not.",
        containment="The four workers inducted the next morning by the shift supervisor and recorded.",
        investigating=-158,
        analyses=(
            Analysis(
                -152,
                FIVE_WHYS,
                (
                    (
                        "Why is there no induction record?",
                        "The workers started on a night shift, when nobody gives inductions.",
                    ),
                    (
                        "Why did they start without one?",
                        "The agency sends people at short notice, and HR hears of it after they start.",
                    ),
                    (
                        "Why does HR hear of it afterwards?",
                        "Production orders agency workers by phone, outside the HR onboarding process.",
                    ),
                ),
                "Agency workers are ordered by Production outside onboarding, so nobody plans their induction before "
                "the first shift.",
                METHOD,
            ),
        ),
        actions=(
            ActionPlan(
                "Order agency workers only through HR, with the induction booked before the first shift.",
                "hr.lead",
                -151,
                21,
                done=-140,
                evidence="Agency contract amended; the nine agency workers who started since were each inducted before "
                "their first shift.",
            ),
            ActionPlan(
                "Add 'no induction, no start' to the shift handover sheet.",
                "prod.lead",
                -151,
                14,
                done=-145,
                evidence="Handover sheet revised; supervisors briefed at the shift meeting.",
            ),
        ),
        implementing=(-150,),
        checks=(
            CheckPlan(
                -139,
                "Every agency worker starting in the next six weeks has an induction record dated before the first "
                "shift.",
                planned_in=45,
                signed=-94,
                comment="Nine of nine new agency workers inducted before starting.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -140,
        "log.lead",
        60,
        title="Pallets of finished goods damaged by forklifts in Hall 4",
        department="LOG",
        clause="8.5.4",
        problem="Five pallets of finished dosing units were damaged by forklift tines in the dispatch area within four "
        "weeks; two units were scrapped and three repaired.",
        containment="Damaged units inspected by Quality; lanes in the dispatch area marked with tape for now.",
        investigating=-139,
        analyses=(
            Analysis(
                -134,
                FISHBONE,
                {
                    "people": (
                        "Two new agency drivers, licensed but not trained on our racks",
                        "Drivers hurry before the 14:00 truck cut-off",
                    ),
                    "environment": ("No marked lanes: waiting pallets stand in the driving aisle at peak times",),
                    "method": ("No rule where pallets wait for loading",),
                },
                "New forklift drivers work in a dispatch area without marked lanes, where pallets waiting for the "
                "truck stand in the driving aisle.",
                PEOPLE,
            ),
        ),
        actions=(
            ActionPlan(
                "Mark loading lanes and a driving aisle in the dispatch area.",
                "log.lead",
                -133,
                21,
                done=-120,
                evidence="Floor marking done over a weekend; photos on the 5S board.",
            ),
            ActionPlan(
                "Train every forklift driver, agency drivers included, on the racks and lanes of Hall 4 before they "
                "drive there.",
                "hr.lead",
                -133,
                30,
                done=-115,
                evidence="Eleven drivers trained and signed off by the Warehouse Lead; records with HR.",
            ),
        ),
        implementing=(-132,),
        checks=(
            CheckPlan(
                -114,
                "No pallet damaged by a forklift in Hall 4 for six weeks.",
                planned_in=45,
                signed=-68,
                comment="No forklift damage in seven weeks; the marking is intact.",
            ),
        ),
        ends=CLOSED,
    ),
    CapaPlan(
        -100,
        "sales.lead",
        90,
        title="Customer returns not registered within 48 hours",
        department="SALES",
        clause="8.7",
        problem="A review of the returns shelf found 14 returned units without a return record, the oldest 19 days "
        "old; two customers had asked twice about their repairs.",
        containment="All 14 registered and assessed by Customer Service within two days; both customers called back.",
        investigating=-99,
        analyses=(
            Analysis(
                -95,
                FIVE_WHYS,
                (
                    (
                        "Why were the returns not registered?",
                        "Logistics unpacks returns and puts them on the shelf; Customer Service registers a return "
                        "when the customer calls.",
                    ),
                    (
                        "Why only when the customer calls?",
                        "The instruction says Customer Service registers returns, but nobody tells them a parcel came.",
                    ),
                    ("Why is nobody told?", "Goods receipt books returns like any delivery, without a notice."),
                ),
                "Returned goods are received without a notice to Customer Service, who register a return only when "
                "the customer asks.",
                METHOD,
            ),
        ),
        actions=(
            ActionPlan(
                "E-mail Customer Service from goods receipt for every returned parcel, with a photo of its label.",
                "log.clerk",
                -94,
                14,
                done=-88,
                evidence="Done for every return since; 23 notices sent in the first weeks.",
            ),
            ActionPlan(
                "Check the returns shelf against the return records every Monday and Thursday.",
                "sales.lead",
                -94,
                14,
                done=-86,
                evidence="On the Customer Service task list; four weeks of checks in the returns log.",
            ),
        ),
        implementing=(-93,),
        checks=(
            CheckPlan(
                -85,
                "Every return registered within 48 hours of arrival for six weeks.",
                planned_in=42,
                signed=-40,
                comment="52 returns in six weeks, all registered within 48 hours (median 4 hours).",
            ),
        ),
        ends=CLOSED,
    ),
    # --- Cancelled ------------------------------------------------------------------------------------------------
    CapaPlan(
        -95,
        "eng.lead",
        60,
        title="Humidity in the electronics store may exceed its limit in summer",
        kind=PREVENTIVE,
        severity=LOW,
        department="LOG",
        clause="7.1.4",
        problem="Electronic assemblies are stored at 30-60 % relative humidity. The store in Hall 4 has no air "
        "conditioning, and the one reading taken last summer was 64 %.",
        investigating=-93,
        actions=(
            ActionPlan(
                "Put a data logger in the electronics store for the summer.",
                "maint.tech",
                -92,
                7,
                done=-90,
                evidence="Logger DL-07 in the store, reading every 15 minutes.",
            ),
        ),
        cancelled=-60,
        cancel_reason="Eight weeks of logging through this summer's heat: 38-56 % RH, within the limit. The logger "
        "stays as a routine check with an alarm at 58 %; no corrective action is needed.",
        ends=CANCELLED,
    ),
    CapaPlan(
        -62,
        "sales.lead",
        30,
        title="Late deliveries to Alpenquell Getränke AG",
        source=COMPLAINT,
        department="SALES",
        clause="8.2.1",
        problem="Alpenquell's purchasing complained by phone that three deliveries last month arrived one to two weeks "
        "after the dates in our order confirmations.",
        investigating=-60,
        cancelled=-52,
        cancel_reason="Not a nonconformity: all three dates were moved at the request of Alpenquell's own project "
        "manager (e-mails on file), which their purchasing had not been told. Explained to the customer, who agreed.",
        ends=CANCELLED,
    ),
)
