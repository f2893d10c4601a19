"""The demo ideas still on their way: waiting for a decision, accepted with a champion, or in Plan-Do-Check-Act.

Most were submitted in the last three months, as the scheme caught on. One is in its second PDCA cycle, one parked
idea was taken up again, one waits in Act for the change to its document, and one popular idea has waited six weeks
for an answer.
"""

from __future__ import annotations

from improvement.demo.plans import (
    ACCEPTED,
    ACT,
    CHECK,
    COST,
    CUSTOMER,
    DO,
    ENVIRONMENT,
    FROM_CUSTOMER,
    PARKED,
    PLAN,
    QUALITY,
    SAFETY,
    SUBMITTED,
    TIME,
    Cycle,
    Decision,
    DocumentChange,
    IdeaPlan,
    Remark,
    Stopped,
)

RESTART_TALLY = """day,line,stopped,back to full speed,minutes lost
Monday,1,12:00,12:52,22
Monday,2,12:00,12:49,19
Tuesday,1,12:00,12:55,25
Tuesday,2,12:00,12:47,17
"""

IN_PDCA: tuple[IdeaPlan, ...] = (
    # --- Act --------------------------------------------------------------------------------------------------------
    IdeaPlan(
        -90,
        "maint.lead",
        "Vibration readings on the filling pumps to plan bearing changes",
        ACT,
        problem="The filling pumps of lines 1 and 2 fail without warning when a bearing goes, and each stop costs "
        "two hours or more while the line waits for the pump.",
        proposal="Take weekly vibration readings on every pump and change bearings at a planned stop when the "
        "reading rises.",
        category=COST,
        benefit="Fewer unplanned stops of the filling lines.",
        accepted=Decision(-84, "maint.lead"),
        cycles=(
            Cycle(
                -82,
                "Unplanned stops of the filling pumps per quarter",
                "5 (11 hours lost last quarter)",
                "1 or fewer",
                do=-75,
                do_notes="Weekly readings with a handheld meter on the six pumps of lines 1 and 2; two bearings "
                "changed at planned stops when their readings rose.",
                check=-20,
                measured="1 unplanned stop this quarter (a seal, not a bearing)",
                act=-8,
                act_notes="It works. Before it goes into the maintenance plan: weekly handheld readings or fixed "
                "sensors? The quote for the sensors is awaited.",
            ),
        ),
        votes=4,
        comments=(
            Remark(
                -8,
                "maint.lead",
                "Quote for fixed sensors: **EUR 4,800** for six pumps. Handheld readings take 40 minutes a week. "
                "@qm your call at the next review.",
            ),
        ),
    ),
    IdeaPlan(
        -38,
        "eng.process",
        "Scan the type plate and the carton label together at packing",
        ACT,
        problem="DU-200 and DU-250 units look the same from outside; after the Alpenquell complaint we found more "
        "cartons with the wrong label in our own stock.",
        proposal="At packing, scan the unit's type plate as well as the carton label; the ERP refuses to close the "
        "carton when the types differ.",
        category=QUALITY,
        benefit="No unit shipped under the wrong label.",
        accepted=Decision(-35, "eng.process", "Accepted; it complements the CAPA on the wrong labels."),
        cycles=(
            Cycle(
                -34,
                "Cartons whose label does not match the unit (audit of 200 cartons)",
                "3 of 200",
                "0",
                do=-30,
                do_notes="Second scan of the type plate at packing line 1; the ERP blocks the label when the types "
                "differ.",
                check=-12,
                measured="0 of 200; the scan stopped 2 mix-ups at packing",
                act=-4,
                act_notes="Ready for packing line 2. How the labelling instruction changes is settled with the CAPA "
                "on the wrong labels, which is revising it already.",
            ),
        ),
        votes=6,
    ),
    IdeaPlan(
        -17,
        "employee",
        "A settings card for the cleaning agent at the CIP station of line 2",
        ACT,
        problem="When the cleaning agent changed, the dosing pump was still set for the old one and we cleaned at "
        "1.5 % instead of 2 %. Nothing at the station says which setting belongs to which agent.",
        proposal="A laminated settings card on the dosing pump (agent, concentration, pump setting) and the pump "
        "setting sealed by Maintenance.",
        category=QUALITY,
        benefit="Cleaning always at the right concentration.",
        accepted=Decision(-15, "prod.lead", "Accepted the same week as the deviation; Maria runs it."),
        cycles=(
            Cycle(
                -14,
                "Concentration outside 1.8 to 2.2 % at the batch-change check",
                "1 of 22 checks last month",
                "0",
                do=-12,
                do_notes="Settings card on the pump; setting sealed; concentration measured at every batch change "
                "for ten days.",
                check=-6,
                measured="0 of 19 checks outside",
                act=-3,
                act_notes="Standardise: the cleaning instruction names the agent, the concentration and the settings "
                "card.",
            ),
        ),
        change=DocumentChange(
            "Cleaning of filling line 2",
            "Cleaning agent, concentration and pump setting as on the settings card at the CIP station.",
            (),
            "qa.engineer",
            effective=False,
        ),
        votes=5,
        comments=(
            Remark(-16, "prod.op4", "Happened to me too on the late shift. A card would have saved a second cleaning."),
            Remark(
                0, "prod.lead", "Change request on the cleaning instruction raised; I write the revision this week."
            ),
        ),
    ),
    # --- Check ------------------------------------------------------------------------------------------------------
    IdeaPlan(
        -100,
        "prod.op4",
        "Stage the next order's labels and cartons while the line runs",
        CHECK,
        problem="At an order change on packing line 1 we stop, fetch the cartons for the next order, load the "
        "labels and only then restart: about 22 minutes.",
        proposal="Stage the next order's cartons and labels on a trolley during the last hour of the running order.",
        category=TIME,
        accepted=Decision(-94, "prod.lead"),
        cycles=(
            Cycle(
                -92,
                "Order change time at packing line 1",
                "22 min",
                "10 min",
                do=-60,
                do_notes="Trolley for the next order staged during the last hour of the running order; checklist on "
                "the trolley.",
                check=-10,
                measured="12 min (average of 15 order changes)",
                check_notes="Close to target; the label printer's warm-up takes the rest.",
            ),
        ),
        votes=5,
    ),
    IdeaPlan(
        -65,
        "prod.op4",
        "Colour-coded holders for the torque wrenches at station 3",
        CHECK,
        problem="Station 3 uses two wrenches, 25 Nm for the M8 housing bolts and 55 Nm for the M10 flange bolts. "
        "They look the same and lie in the same drawer.",
        proposal="Two holders in different colours at the bench, with a matching colour band on each wrench and on "
        "the work instruction's picture.",
        category=QUALITY,
        department="PROD",
        anonymous=True,
        accepted=Decision(-60, "maint.lead"),
        cycles=(
            Cycle(
                -58,
                "Wrenches found at the wrong setting at the daily check",
                "3 in the last month",
                "0",
                do=-50,
                do_notes="Blue holder for 25 Nm, red for 55 Nm; bands on the wrenches.",
                check=-8,
                measured="0 in five weeks",
            ),
        ),
        votes=5,
        comments=(Remark(-64, "maint.tech", "Good one. I can make the holders from the offcuts in the workshop."),),
    ),
    IdeaPlan(
        -60,
        "maint.tech",
        "LED high-bay lights on motion sensors in Hall 4",
        CHECK,
        problem="Hall 4 is lit all day by 40 sodium lamps, although most aisles are empty most of the time.",
        proposal="LED high-bay lights that dim when nobody is in the aisle.",
        category=ENVIRONMENT,
        benefit="Less electricity; better light for reading labels.",
        accepted=Decision(-56, "maint.lead"),
        cycles=(
            Cycle(
                -55,
                "Electricity for the lighting of Hall 4 per week",
                "1,150 kWh",
                "Below 600 kWh",
                do=-45,
                do_notes="12 LED high-bays with sensors in aisles A to C, rented for the trial.",
                check=-12,
                measured="480 kWh a week, scaled up from aisles A to C",
            ),
        ),
        votes=6,
        comments=(Remark(-40, "log.clerk", "The light in aisle B is **much** better for reading the labels."),),
    ),
    IdeaPlan(
        -50,
        "sales.rep",
        "Confirm every order within 24 hours, with its ship date",
        CHECK,
        problem="Customers wait up to a week for an order confirmation and call to ask when they will get their units.",
        proposal="A fixed half hour each morning to confirm yesterday's orders with a ship date from the ERP.",
        category=CUSTOMER,
        accepted=Decision(-46, "sales.lead"),
        cycles=(
            Cycle(
                -45,
                "Orders confirmed within 24 hours",
                "61 %",
                "95 %",
                do=-40,
                do_notes="Morning slot from 8:00 to 8:30; ERP list of unconfirmed orders.",
                check=-6,
                measured="93 % over four weeks",
            ),
        ),
        votes=3,
    ),
    # --- Do ---------------------------------------------------------------------------------------------------------
    IdeaPlan(
        -200,
        "prod.op2",
        "Pick-to-light for the DU-250 assembly kits",
        DO,
        problem="About one kit in a hundred reaches assembly with a wrong or missing part; we notice at the bench "
        "and walk back to the store.",
        proposal="Pick-to-light rails on the kit shelf: the bins for the current kit light up.",
        category=QUALITY,
        benefit="Right kits first time; no walking back.",
        accepted=Decision(-195, "prod.lead"),
        cycles=(
            Cycle(
                -190,
                "Kits with a wrong or missing part, found at assembly",
                "1.1 %",
                "0.2 %",
                do=-182,
                do_notes="Pick-to-light rails on the 24 bins of the DU-250 shelf.",
                check=-160,
                measured="0.4 %",
                check_notes="Better, but short of the target. Most errors left are M5x12 screws picked for M5x16 "
                "and the other way round.",
                act=-150,
                act_notes="Not standardised yet: a second cycle for the look-alike screws.",
            ),
            Cycle(
                -148,
                "Kits with a wrong or missing part, found at assembly",
                "0.4 %",
                "0.2 %",
                plan_notes="Separate the look-alike screws: bins in different colours with a sample screw glued on "
                "the front. Bins on order, delivery in about twelve weeks.",
                note="Second cycle: the errors left are look-alike screws.",
                do=-60,
                do_notes="Colour-coded bins with sample screws fitted on the DU-250 shelf; kit errors counted for "
                "six weeks.",
            ),
        ),
        votes=6,
        comments=(
            Remark(-150, "prod.lead", "0.4 % is progress. Second round for the screws: see the new plan."),
            Remark(-60, "prod.op2", "Bins are in. The sample screws make it obvious."),
        ),
    ),
    IdeaPlan(
        -55,
        "prod.op3",
        "A photo board of typical weld defects at the seam inspection",
        DO,
        problem="The instruction for the visual inspection of welded seams describes defects in words only; new "
        "inspectors are unsure what 'slight undercut' looks like.",
        proposal="A board with photos of each defect, acceptable and not, next to the inspection table.",
        category=QUALITY,
        accepted=Decision(-50, "eng.process"),
        cycles=(
            Cycle(
                -49,
                "Seams returned by the customer's incoming inspection",
                "4 in the last half-year",
                "0",
                do=-20,
                do_notes="Board with 12 photos (pores, undercut, discolouration, spatter) at the inspection table.",
            ),
        ),
        votes=4,
    ),
    IdeaPlan(
        -48,
        "eng.process",
        "A weekly 15-minute stand-up between Engineering and Production",
        DO,
        problem="Questions about drawings and process changes go by e-mail and wait for days.",
        proposal="Every Tuesday at 9:00, fifteen minutes standing at line 1: open questions, changes coming up.",
        category=TIME,
        accepted=Decision(-44, "eng.lead"),
        cycles=(
            Cycle(
                -43,
                "Drawing questions from production open longer than 2 days",
                "9 in the last month",
                "2 or fewer",
                do=-30,
                do_notes="Stand-up every Tuesday since four weeks; open points on a flip chart at line 1.",
            ),
        ),
        votes=5,
    ),
    IdeaPlan(
        -42,
        "qa.engineer",
        "Electronic check sheets on a tablet for the hourly fill-weight check",
        DO,
        problem="The hourly fill-weight results are written on paper and typed into the batch record at the end of "
        "the shift. It takes time, and the batch review finds about five typing errors a month.",
        proposal="A tablet at the line with the scale connected: results go straight into the batch record, and "
        "out-of-limit values alarm at once.",
        category=QUALITY,
        benefit="No typing, no typing errors, alarms at once.",
        accepted=Decision(-40, "qa.engineer"),
        cycles=(
            Cycle(
                -39,
                "Time per hourly check, writing up included",
                "6 min",
                "3 min",
                plan_notes="Also counted: transcription errors found at batch review (5 a month today).",
                do=-15,
                do_notes="Tablet at filling line 2 with the scale connected, since two weeks; paper kept in parallel.",
            ),
        ),
        votes=12,
        comments=(
            Remark(-41, "employee", "Finally. The paper sheets get wet at the filler anyway."),
            Remark(
                -40,
                "prod.lead",
                "Please include the checks on **line 1** too once it works. @qa.engineer can the tablet also show "
                "the last 8 results as a chart?",
            ),
            Remark(-39, "qa.engineer", "Yes, the trend of the last shift is on the screen."),
            Remark(-15, "prod.op4", "Tried it tonight. Much faster; the alarm beeps loud enough."),
        ),
    ),
    IdeaPlan(
        -40,
        "log.clerk",
        "Traffic lights at the loading bays",
        DO,
        problem="Twice this year a truck pulled away while a forklift was still on the dock plate. The drivers "
        "cannot see into the trailer.",
        proposal="A red and green light at each bay, switched by the dock plate: green only when the plate is up.",
        category=SAFETY,
        department="LOG",
        anonymous=True,
        accepted=Decision(-36, "log.lead"),
        cycles=(
            Cycle(
                -35,
                "Trucks moving while a forklift is on the ramp (near misses reported)",
                "3 in six months",
                "0",
                do=-10,
                do_notes="Lights at bay 2, switched by the dock plate; drivers briefed with a sign in three languages.",
            ),
        ),
        votes=7,
        comments=(Remark(-39, "log.lead", "Thank you for raising this. Getting a quote for the lights."),),
    ),
    # --- Plan -------------------------------------------------------------------------------------------------------
    IdeaPlan(
        -250,
        "prod.lead",
        "A spare label printer for packing line 1",
        PLAN,
        problem="When the label printer at packing line 1 fails, the line stops until Maintenance repairs it.",
        proposal="Keep a configured spare printer next to the line.",
        category=TIME,
        stopped=Stopped(-236, PARKED, "No budget this year for a second printer (EUR 2,400). Parked."),
        resumed=Decision(-60, "prod.lead", "Taken up again: the printer of the closed packing line 3 is free."),
        cycles=(Cycle(-56, "Packing stops waiting for the label printer per month", "3 stops, 2.5 hours", "0"),),
        votes=3,
    ),
    IdeaPlan(
        -38,
        "employee",
        "A shadow board for the changeover tools at line 2",
        PLAN,
        problem="At each changeover we look for the nozzle spanner, the brush set and the torque key.",
        proposal="A shadow board at the line with an outline for each tool.",
        category=TIME,
        accepted=Decision(-33, "prod.lead"),
        cycles=(Cycle(-30, "Time spent looking for tools at a changeover", "About 6 min", "Under 1 min"),),
        votes=5,
    ),
    IdeaPlan(
        -70,
        "auditor",
        "Layered process audits: ten-minute checks by the team leaders",
        PLAN,
        problem="Between internal audits nobody checks whether the instructions are followed on the floor.",
        proposal="Each team leader spends ten minutes a day on five questions at one workplace; the managers do the "
        "same once a week.",
        category=QUALITY,
        accepted=Decision(-62, "qm", "Accepted; to be tried with the production team leaders first."),
        cycles=(
            Cycle(
                -55,
                "Audit findings on instructions not followed",
                "6 in the last two production audits",
                "Half as many",
            ),
        ),
        votes=2,
    ),
    IdeaPlan(
        -80,
        "log.lead",
        "Returnable crates instead of cardboard from the housing supplier",
        PLAN,
        problem="Housings arrive in single-use cardboard boxes: more than a tonne of cardboard a month.",
        proposal="Returnable plastic crates that go back with the next delivery.",
        category=ENVIRONMENT,
        accepted=Decision(-72, "log.lead"),
        cycles=(
            Cycle(
                -60,
                "Cardboard waste from housing deliveries per month",
                "1.2 t",
                "0.3 t",
                plan_notes="The supplier builds sample crates; the trial starts when they arrive.",
            ),
        ),
        votes=4,
    ),
    IdeaPlan(
        -30,
        "maint.lead",
        "Critical spare parts with a minimum stock in the ERP",
        PLAN,
        problem="Spare parts are reordered when someone notices the shelf is empty, usually during a breakdown.",
        proposal="List the critical spare parts with a minimum stock in the ERP, so they are reordered in time.",
        category=TIME,
        accepted=Decision(-26, "maint.lead"),
        cycles=(Cycle(-22, "Hours of stoppage waiting for spare parts per quarter", "19 h", "5 h"),),
        votes=3,
    ),
    IdeaPlan(
        -28,
        "prod.lead",
        "Enclose the vibratory bowl feeder at assembly station 2",
        PLAN,
        problem="The bowl feeder at station 2 is loud; hearing protection is needed for the whole bench.",
        proposal="A sound enclosure with a clear front around the feeder.",
        category=SAFETY,
        accepted=Decision(-21, "maint.lead"),
        cycles=(Cycle(-14, "Noise level at station 2", "88 dB(A)", "Below 80 dB(A)"),),
        votes=6,
    ),
)

WAITING: tuple[IdeaPlan, ...] = (
    # --- Accepted ---------------------------------------------------------------------------------------------------
    IdeaPlan(
        -27,
        "prod.op4",
        "Magnifier lamps at the final visual inspection",
        ACCEPTED,
        problem="Scratches and flash on the covers are hard to see under the hall lighting.",
        proposal="A magnifier lamp at each final inspection station.",
        category=QUALITY,
        accepted=Decision(-20, "qa.engineer"),
        votes=4,
    ),
    IdeaPlan(
        -52,
        "eng.lead",
        "A quick-start card with a QR link to the installation video",
        ACCEPTED,
        problem="Fitters call our service line with questions the manual answers on page 40.",
        proposal="A one-page quick-start card on top of the unit, with a QR code to a three-minute installation video.",
        category=CUSTOMER,
        accepted=Decision(-41, "eng.lead"),
        votes=3,
    ),
    IdeaPlan(
        -22,
        "ceo",
        "Electricity meters per hall, shown on the screen in the canteen",
        ACCEPTED,
        problem="We know the monthly electricity bill, not where the energy goes.",
        proposal="Sub-meters per hall and for the compressors, with the week's figures on the canteen screen.",
        category=ENVIRONMENT,
        accepted=Decision(-15, "maint.lead"),
        votes=10,
        comments=(
            Remark(-21, "maint.tech", "The compressor meter would show if the leak tours still pay."),
            Remark(-15, "qm", "Accepted. @maint.lead please plan it with the LED trial in Hall 4."),
        ),
    ),
    IdeaPlan(
        -47,
        "qa.engineer",
        "NCR form pre-filled from the ERP production order",
        ACCEPTED,
        problem="Writing a nonconformance report means copying the order number, part, batch and quantity from the "
        "ERP by hand.",
        proposal="Print the NCR form from the production order, with those fields filled in.",
        category=TIME,
        accepted=Decision(-36, "qa.engineer"),
        votes=4,
    ),
    IdeaPlan(
        -12,
        "prod.op2",
        "Photos on the shelf labels of the assembly kit store",
        ACCEPTED,
        problem="Part numbers on the shelf labels differ in one digit; new colleagues pick by number only.",
        proposal="Add a photo of the part to each shelf label.",
        category=QUALITY,
        accepted=Decision(-6, "prod.lead"),
        votes=3,
    ),
    # --- Submitted --------------------------------------------------------------------------------------------------
    IdeaPlan(
        -45,
        "prod.op3",
        "Stagger the breaks so the lines keep running",
        SUBMITTED,
        problem="Both filling lines stop for the whole lunch break, and it takes 20 minutes to get back to speed.",
        proposal="Stagger the breaks of the line crews by half an hour, so one colleague from the other crew keeps "
        "each line running.",
        category=TIME,
        anonymous=True,
        attachment=("restarts after lunch.csv", RESTART_TALLY),
        votes=13,
        comments=(
            Remark(-44, "prod.op4", "Would work on the early shift. The late shift is too small."),
            Remark(-40, "employee", "Yes, **but** only if nobody's break gets shorter."),
            Remark(
                -10,
                "qm",
                "Sorry this is taking long: break times need the works council. @prod.lead can you bring it to "
                "their meeting on the 1st?",
            ),
        ),
    ),
    IdeaPlan(
        -18,
        "log.clerk",
        "The carrier's tracking link in the shipping notice",
        SUBMITTED,
        problem="Customers call to ask where their delivery is.",
        proposal="Put the carrier's tracking link in the shipping notice e-mail.",
        category=CUSTOMER,
        votes=4,
    ),
    IdeaPlan(
        -14,
        "prod.op3",
        "A second conductivity meter for the lab",
        SUBMITTED,
        problem="At the morning batch changes both lines wait for the lab's only conductivity meter to check the "
        "final rinse.",
        proposal="Buy a second meter (about EUR 900) and keep it at line 2.",
        category=TIME,
        votes=2,
    ),
    IdeaPlan(
        -11,
        "maint.tech",
        "Lockout padlocks with the owner's photo",
        SUBMITTED,
        problem="When a machine is locked out, nobody can see at a glance whose lock it is.",
        proposal="Personal padlocks with a photo tag, one colour per department.",
        category=SAFETY,
        votes=6,
    ),
    IdeaPlan(
        -9,
        "employee",
        "A fixed platform at the hopper of filling line 1",
        SUBMITTED,
        problem="To refill the hopper we climb a step stool that wobbles on the wet floor.",
        proposal="A fixed platform with a handrail.",
        category=SAFETY,
        department="PROD",
        anonymous=True,
        votes=8,
        comments=(Remark(-8, "maint.lead", "Checked the stool: it goes today. A platform is being quoted."),),
    ),
    IdeaPlan(
        -7,
        "employee",
        "Reuse the suppliers' inner cartons as packing material",
        SUBMITTED,
        problem="We throw away good inner cartons from deliveries and buy void fill for our own shipments.",
        proposal="Collect the clean inner cartons at goods receipt and shred them for void fill.",
        category=ENVIRONMENT,
        votes=3,
    ),
    IdeaPlan(
        -5,
        "eng.process",
        "Standard work for the night-shift start-up of line 2",
        SUBMITTED,
        problem="Each night crew starts line 2 in its own order; the first half hour is often lost.",
        proposal="A one-page standard start-up sequence with times, at the line.",
        category=TIME,
        votes=1,
    ),
    IdeaPlan(
        -3,
        "sales.rep",
        "The calibration certificate in the box with each dosing unit",
        SUBMITTED,
        problem="Hansa Molkerei and two other customers ask for the calibration certificate of each unit by e-mail "
        "after delivery.",
        proposal="Print the certificate and put it in the box.",
        category=CUSTOMER,
        source=FROM_CUSTOMER,
        votes=2,
    ),
    IdeaPlan(
        -1,
        "prod.op2",
        "Colour-coded hoses for product and for cleaning",
        SUBMITTED,
        problem="Product hoses and CIP hoses at line 2 are the same white hose.",
        proposal="Blue hoses for product, red for cleaning agent.",
        category=QUALITY,
    ),
    IdeaPlan(
        0,
        "prod.lead",
        "The shift's OEE on a screen at each line",
        SUBMITTED,
        problem="We learn the week's line efficiency on Monday, too late to act on it.",
        proposal="A screen at each line with the shift's OEE and the top three stop reasons, live.",
        category=TIME,
        votes=1,
    ),
)

PIPELINE: tuple[IdeaPlan, ...] = (*IN_PDCA, *WAITING)
