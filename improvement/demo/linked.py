"""The demo ideas that come from the other modules: opportunities for improvement and observations of the demo audits,
and preventive ideas spawned from demo CAPAs.

The audits' findings are dated today (the audit demo runs its fieldwork today), so the ideas raised from them are
today's; two were accepted at once. The CAPA ideas were raised by the CAPA's owner once its root cause was known, to
prevent the same cause elsewhere: two are standardized, one is being checked.
"""

from __future__ import annotations

from improvement.demo.plans import (
    ACCEPTED,
    CHECK,
    DEFECTS,
    HOURS,
    STANDARDIZED,
    SUBMITTED,
    Cycle,
    Decision,
    IdeaPlan,
    Remark,
    Standardized,
)

FROM_FINDINGS: tuple[IdeaPlan, ...] = (
    IdeaPlan(
        0,
        "qm",
        "Periodic review reminders a month ahead",
        ACCEPTED,
        finding="Owners confirm periodic reviews on the last day.",
        accepted=Decision(0, "qm", "Taken on by the Quality Manager: the reminder belongs to document control."),
        votes=2,
    ),
    IdeaPlan(
        0,
        "qm",
        "A shared maintenance plan",
        ACCEPTED,
        finding="The maintenance plan is a spreadsheet that only the Maintenance Supervisor updates.",
        accepted=Decision(0, "maint.lead", "Ivan champions it; Nora joins."),
        votes=3,
        comments=(
            Remark(
                0,
                "maint.lead",
                "Agreed with the auditor. First step: move the plan to the shared drive, then we look at the "
                "maintenance module. @maint.tech you know the plan best after me.",
            ),
        ),
    ),
    IdeaPlan(
        0,
        "auditor",
        "Supplier corrective action requests in the QMS",
        SUBMITTED,
        finding="Supplier corrective action requests are tracked in a personal spreadsheet.",
    ),
    IdeaPlan(
        0,
        "auditor",
        "Complaint statistics by cause",
        SUBMITTED,
        finding="Complaint statistics are counted by product and customer only.",
        votes=1,
    ),
    IdeaPlan(
        0,
        "auditor",
        "Material lots booked against the serial number",
        SUBMITTED,
        finding="Tracing one unit back to its material lots took 40 minutes",
        votes=4,
    ),
    IdeaPlan(
        0,
        "auditor",
        "Drawing revision on the first-off sample",
        SUBMITTED,
        finding="The first-off sample at press P-12 does not show the drawing revision",
    ),
    IdeaPlan(
        0,
        "qm",
        "Shelf-life items flagged in the ERP",
        SUBMITTED,
        finding="Shelf life is checked by eye at the rack.",
        votes=2,
    ),
)

FROM_CAPAS: tuple[IdeaPlan, ...] = (
    IdeaPlan(
        -150,
        "prod.lead",
        "First-label check and queue clearing at the spare-parts label station too",
        STANDARDIZED,
        capa="Label printer on packing line 1 prints serial numbers of the previous order",
        proposal="The spare-parts label station uses the same printer model and has the same order changes. Switch "
        "on 'clear queue on order load' there as well and add the first-label check to its order-change checklist.",
        accepted=Decision(-148, "prod.lead"),
        cycles=(
            Cycle(
                -146,
                "Spare-part shipments with a wrong serial range found at dispatch",
                "2 in the last quarter",
                "0",
                do=-140,
                do_notes="Setting switched on; the first-label check added to the station's checklist.",
                check=-110,
                measured="0 in six weeks",
                act=-100,
                act_notes="Kept as it is.",
            ),
        ),
        standardized=Standardized(
            -95,
            DEFECTS,
            "8",
            "About eight wrongly labelled spare-part shipments a year, from the two found in the last quarter.",
            no_change_reason="The labelling instruction already applies to every station; only the station's "
            "order-change checklist, a local aid, needed the check.",
        ),
        votes=4,
    ),
    IdeaPlan(
        -105,
        "qa.engineer",
        "Bring the lab's pipettes and thermometers into the monthly calibration recall",
        STANDARDIZED,
        capa="Calibration recall missed: scale SC-02 used three weeks past its due date",
        proposal="The lab keeps its 22 pipettes, thermometers and pH meters in a list of its own, so the monthly "
        "recall from the CAPA does not reach them. Enter them in the calibration register, and the same recall "
        "covers them.",
        accepted=Decision(-103, "qa.engineer"),
        cycles=(
            Cycle(
                -100,
                "Lab instruments past their due date at the monthly check",
                "3 of 22",
                "0",
                do=-95,
                do_notes="22 lab instruments entered in the calibration register with their intervals; the lab list "
                "withdrawn.",
                check=-50,
                measured="0 of 22 past due at two monthly recalls",
                act=-45,
                act_notes="Kept; the lab list is gone.",
            ),
        ),
        standardized=Standardized(
            -40,
            HOURS,
            "24",
            "No separate lab list to keep up: two hours a month.",
            no_change_reason="The calibration procedure covers every instrument in the register; only the register "
            "changed.",
        ),
        votes=3,
        comments=(Remark(-104, "prod.op3", "The lab thermometers were overdue twice last year. Good catch."),),
    ),
    IdeaPlan(
        -95,
        "log.lead",
        "Marked lanes and mirrors at the blind corners of Hall 2",
        CHECK,
        capa="Pallets of finished goods damaged by forklifts in Hall 4",
        proposal="Hall 2 has the same mix of forklifts and people, and two blind corners at the packing stations. "
        "Mark its lanes as in Hall 4 and put convex mirrors at both corners.",
        accepted=Decision(-92, "log.lead"),
        cycles=(
            Cycle(
                -90,
                "Forklift near misses reported in Hall 2 per month",
                "3",
                "0",
                do=-70,
                do_notes="Lanes marked over a weekend; two convex mirrors fitted.",
                check=-14,
                measured="1 near miss in two months (a pedestrian outside the walkway)",
            ),
        ),
        votes=7,
        comments=(
            Remark(-90, "prod.op2", "The corner at packing station 2 is the worst. Please start there."),
            Remark(-14, "log.lead", "One near miss left: people cutting across. Adding a barrier is next."),
        ),
    ),
)

LINKED: tuple[IdeaPlan, ...] = (*FROM_FINDINGS, *FROM_CAPAS)
