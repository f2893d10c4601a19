"""The demo ideas that reached a decision: standardized with a measured benefit, rejected or parked with a reason.

The oldest come from the first months of the scheme, when ideas waited weeks for an answer; the later ones were
decided within days. Three were standardized through a change to a controlled document (made today, because the demo
documents are dated today); the others say why no document changes.
"""

from __future__ import annotations

from improvement.demo.plans import (
    COST,
    CUSTOMER,
    DEFECTS,
    ENVIRONMENT,
    FROM_CUSTOMER,
    HOURS,
    MONEY,
    PARKED,
    QUALITY,
    REJECTED,
    SAFETY,
    STANDARDIZED,
    TIME,
    Cycle,
    Decision,
    DocumentChange,
    IdeaPlan,
    Remark,
    Standardized,
    Stopped,
)

CHANGEOVER_TALLY = """changeover,from,to,minutes
1,apple juice,orange juice,27
2,orange juice,multivitamin,24
3,multivitamin,apple juice,26
4,apple juice,still water,23
"""

STANDARDIZED_IDEAS: tuple[IdeaPlan, ...] = (
    IdeaPlan(
        -350,
        "prod.op4",
        "Quick-release clamps on the filling nozzles of line 1",
        STANDARDIZED,
        problem="Changing the nozzles on filling line 1 takes about 25 minutes: each of the eight nozzles is held by "
        "two nuts that need a spanner, and the nuts fall into the drip tray. I timed four changeovers last month "
        "(attached).",
        proposal="Replace the nuts with tri-clamp quick-release clamps, as on line 2. The nozzle seats are the same "
        "size; only the clamp rings are needed.",
        category=TIME,
        benefit="Changeovers 15 minutes shorter, and no more nuts in the drip tray.",
        attachment=("changeover times line 1.csv", CHANGEOVER_TALLY),
        accepted=Decision(-318, "prod.lead", "Good idea, and cheap to try. Maria will run it."),
        cycles=(
            Cycle(
                -310,
                "Nozzle changeover time on filling line 1",
                "25 min (average of 12 changeovers)",
                "10 min",
                plan_notes="Try on heads 1 to 4 first; heads 5 to 8 stay as they are, so both are timed on the same "
                "changeovers.",
                do=-300,
                do_notes="Clamp rings fitted on heads 1 to 4 by Maintenance; 10 changeovers timed over four weeks by "
                "the shift operators.",
                check=-272,
                measured="9 min on heads 1 to 4 (average of 10 changeovers), 24 min on heads 5 to 8",
                check_notes="Target met. No leaks at the clamps after CIP; seals as before.",
                act=-262,
                act_notes="Heads 5 to 8 and the spare nozzle set converted; clamp rings added to the spare parts list.",
            ),
        ),
        standardized=Standardized(
            -240,
            HOURS,
            "130",
            "About 520 nozzle changeovers a year, each 15 minutes shorter.",
            no_change_reason="The cleaning and changeover instructions say 'release the nozzle clamp', which fits "
            "the quick-release clamps as well; the spare parts list is not a controlled document.",
        ),
        votes=6,
        comments=(
            Remark(-349, "employee", "Same on line 2 before the clamps came. **Yes please.**"),
            Remark(-320, "prod.op4", "Anything happening with this? It has been a month."),
            Remark(-318, "qm", "Sorry for the wait, Tom: accepted today, with Maria as champion."),
            Remark(
                -240,
                "prod.lead",
                "Standardized. Thanks Tom: changeovers on line 1 now take **9 minutes** instead of 25.",
            ),
        ),
    ),
    IdeaPlan(
        -165,
        "maint.tech",
        "Find and fix compressed air leaks with an ultrasonic detector",
        STANDARDIZED,
        problem="On Sundays, with production stopped, the compressor still runs at more than a third of its load. "
        "You can hear leaks hissing in Hall 2 when it is quiet.",
        proposal="Borrow an ultrasonic leak detector, tag every leak on a Saturday shift, fix them, and repeat the "
        "tour twice a year.",
        category=ENVIRONMENT,
        benefit="Less electricity for the compressor; a quieter hall.",
        accepted=Decision(-145, "maint.lead", "Accepted. Ivan champions it; a Saturday shift is approved."),
        cycles=(
            Cycle(
                -140,
                "Compressor load on a Sunday with production stopped",
                "38 % load",
                "Below 15 %",
                do=-125,
                do_notes="Detector lent by the compressor supplier. 46 leaks tagged in Halls 2 and 4 over two "
                "Saturdays; 41 fixed (fittings, hoses, two worn cylinder seals), 5 wait for a planned stop.",
                check=-90,
                measured="12 % load on a Sunday (three Sundays measured)",
                check_notes="Target met. The remaining five leaks are fixed at the next planned stop.",
                act=-81,
                act_notes="Leak tour twice a year added to the compressed-air maintenance plan.",
            ),
        ),
        standardized=Standardized(
            -73,
            MONEY,
            "7400",
            "About 61 MWh a year less for the compressor, at 0.12 EUR/kWh.",
            no_change_reason="The leak tour is a task in the compressed-air maintenance plan, which the maintenance "
            "procedure already requires; the procedure itself does not change.",
        ),
        votes=5,
        comments=(
            Remark(-135, "maint.lead", "Saturday tour booked. Detector arrives Friday."),
            Remark(-90, "ceo", "Impressive result. Can we put the savings on the board in the canteen?"),
        ),
    ),
    IdeaPlan(
        -300,
        "prod.op3",
        "Limit samples for O-ring flash at the goods receipt bench",
        STANDARDIZED,
        problem="Whether flash on an O-ring is acceptable depends on who inspects: the spec says 'no visible flash' "
        "and each of us reads it differently. Doubtful O-rings go to assembly or get rejected by chance.",
        proposal="Keep a board of limit samples at the bench: O-rings just acceptable and just not, with photos "
        "under the magnifier, agreed once with Engineering.",
        category=QUALITY,
        benefit="Everybody judges the same way; fewer arguments with the supplier.",
        accepted=Decision(-285, "qa.engineer", "Accepted; Omar agrees the samples with Engineering."),
        cycles=(
            Cycle(
                -282,
                "Inspectors disagreeing on the same 50 O-rings",
                "11 of 50",
                "2 of 50 or fewer",
                plan_notes="Same 50 O-rings judged by three inspectors before and after the board.",
                do=-270,
                do_notes="Board with four limit samples and photos at the bench; samples sealed in bags and entered "
                "in the register as inspection equipment.",
                check=-240,
                measured="1 of 50 at the repeat test",
                act=-232,
                act_notes="The board stays; limit samples are renewed when the drawing changes.",
            ),
        ),
        standardized=Standardized(
            -225,
            DEFECTS,
            "180",
            "O-rings with flash no longer passed to assembly: about 180 a year, from the rejects of the last quarter.",
            no_change_reason="The limit samples are inspection equipment in the calibration register; the goods "
            "receipt instruction already says to judge against the limit sample.",
        ),
        votes=4,
        comments=(
            Remark(
                -290,
                "qa.engineer",
                "Good one. We need Engineering to agree the limit, otherwise the board is just a fourth opinion. "
                "@eng.design can you spare half an hour next week?",
            ),
            Remark(-289, "eng.design", "Tuesday 10:00 at the bench."),
        ),
    ),
    IdeaPlan(
        -270,
        "prod.op2",
        "Anti-fatigue mats at the assembly benches",
        STANDARDIZED,
        problem="We stand on bare concrete for the whole shift at the assembly benches in Hall 2. Many of us have "
        "sore legs and backs by the end of the week.",
        proposal="Anti-fatigue mats at every bench, the kind that is allowed in ESD areas.",
        category=SAFETY,
        department="PROD",
        anonymous=True,
        benefit="Less pain, fewer sick days.",
        accepted=Decision(-262, "hr.lead", "Accepted. HR runs a short survey before and after."),
        cycles=(
            Cycle(
                -258,
                "Operators reporting leg or back pain at the end of the shift (survey)",
                "9 of 14",
                "4 of 14 or fewer",
                do=-250,
                do_notes="ESD-safe mats at benches 1 to 6 of Hall 2 for six weeks.",
                check=-208,
                measured="3 of 14",
                check_notes="Two operators asked for mats at the packing stations too.",
                act=-204,
                act_notes="Mats at all benches and both packing stations.",
            ),
        ),
        standardized=Standardized(
            -200,
            HOURS,
            "96",
            "96 fewer hours of sick leave for back pain than in the same months last year.",
            no_change_reason="Mats are workplace equipment; the health, safety and environment policy already "
            "covers ergonomics, and no instruction describes the floor.",
        ),
        votes=11,
        comments=(
            Remark(-268, "prod.op4", "+1. Especially on the night shift."),
            Remark(
                -265,
                "employee",
                "Make sure they are ESD-safe: see the *ESD-safe handling* instruction before buying any.",
            ),
            Remark(-200, "hr.lead", "Mats everywhere now. Thank you, whoever you are."),
        ),
    ),
    IdeaPlan(
        -135,
        "log.clerk",
        "Print the packing list and the delivery note in one go",
        STANDARDIZED,
        problem="For every shipment I open three ERP screens to print the delivery note, the packing list and the "
        "pallet labels, and pick the printer each time.",
        proposal="One ERP print profile 'Dispatch' that prints all three on the right printers.",
        category=TIME,
        benefit="Minutes saved on every shipment.",
        accepted=Decision(-131, "log.lead"),
        cycles=(
            Cycle(
                -130,
                "Time to prepare the papers of one shipment",
                "12 min",
                "5 min",
                do=-123,
                do_notes="Profile set up by IT; tried for two weeks on all shipments.",
                check=-109,
                measured="4 min",
                act=-105,
                act_notes="Profile is the default for the dispatch users.",
            ),
        ),
        standardized=Standardized(
            -100,
            HOURS,
            "210",
            "About 1,800 shipments a year, 7 minutes each.",
            no_change_reason="The print profile is an ERP setting; the handling procedure says 'print the shipping "
            "documents' and still fits.",
        ),
        votes=3,
    ),
    IdeaPlan(
        -215,
        "log.lead",
        "A charging schedule for the forklift batteries",
        STANDARDIZED,
        problem="All four forklifts go on charge at the end of the late shift and two are still charging when the "
        "7:00 trucks arrive. Drivers wait or take a half-charged truck.",
        proposal="A charging schedule: two trucks charge from 14:00, two from 22:00, and a board at the charging "
        "station shows which is next.",
        category=TIME,
        benefit="No waiting for a charged forklift at the morning peak.",
        accepted=Decision(-209, "log.lead"),
        cycles=(
            Cycle(
                -208,
                "Minutes drivers wait for a charged forklift, 7:00 to 9:00",
                "About 25 min a day",
                "Under 5 min a day",
                do=-205,
                do_notes="Schedule on the board at the charging station for three weeks.",
                check=-184,
                measured="3 min a day on average",
                act=-180,
                act_notes="Schedule kept; battery swaps logged on the board.",
            ),
        ),
        standardized=Standardized(
            -176,
            HOURS,
            "90",
            "About 22 minutes a day of driver waiting, over 245 working days.",
            no_change_reason="Charging is not described in a controlled document; the board at the charging station "
            "is the schedule.",
        ),
        votes=4,
    ),
    IdeaPlan(
        -185,
        "sales.rep",
        "Send the customer a photo of each pallet as it is loaded",
        STANDARDIZED,
        problem="Nordwind Foods suggested it after the crushed cartons: when a carrier damages a pallet, we cannot "
        "show it left us intact, and carriers dispute the claim.",
        proposal="Photograph every pallet at loading and attach the photo to the shipping notice e-mail.",
        category=CUSTOMER,
        source=FROM_CUSTOMER,
        benefit="Carrier claims we can prove; customers see we care.",
        accepted=Decision(-180, "sales.lead"),
        cycles=(
            Cycle(
                -178,
                "Transport damage claims disputed by the carrier",
                "4 of 6 last year",
                "None disputed",
                do=-175,
                do_notes="Photo at loading for every pallet to Nordwind and Alpenquell, taken with the dispatch "
                "tablet and attached in the ERP.",
                check=-120,
                measured="2 claims, neither disputed",
                check_notes="Both customers like the photos; Alpenquell asked for them on all deliveries.",
                act=-115,
                act_notes="Photos for all customers.",
            ),
        ),
        standardized=Standardized(
            -110,
            MONEY,
            "5100",
            "Two claims paid by the carrier that would have been written off.",
            no_change_reason="The photo is a field of the ERP shipping checklist, which is a record, not a "
            "controlled document.",
        ),
        votes=5,
        comments=(Remark(-110, "log.lead", "Dispatch tablet stays at the dock for this. Works well."),),
    ),
    IdeaPlan(
        -120,
        "maint.tech",
        "A QR code on every machine to report a fault",
        STANDARDIZED,
        problem="Faults are written on the fault board in the corridor: 'press leaking', 'line 2 noise'. We walk to "
        "the hall to find out which machine, what exactly, and then walk back for the part. Half the notes have no "
        "time on them.",
        proposal="A QR code sticker on each machine that opens a short fault form with the machine already filled "
        "in and a photo. Maintenance gets it on the phone.",
        category=TIME,
        benefit="Technicians arrive at the right machine with the right part.",
        accepted=Decision(-112, "maint.lead", "Popular and simple. Ivan runs it."),
        cycles=(
            Cycle(
                -110,
                "Time from fault report to technician at the machine with the right part (median)",
                "48 min (30 reports)",
                "25 min",
                plan_notes="Trial in Hall 2 (14 machines); Hall 4 keeps the board for comparison.",
                do=-100,
                do_notes="QR stickers on the 14 machines of Hall 2; the form runs on the intranet. Operators "
                "briefed at the shift meetings.",
                check=-60,
                measured="22 min median (41 reports)",
                check_notes="Photos help most: the part is often clear before anyone walks over.",
                act=-50,
                act_notes="Stickers on every machine; the maintenance procedure names the QR report as the way to "
                "report faults.",
            ),
        ),
        change=DocumentChange(
            "Maintenance of production equipment",
            "Faults are reported through the QR code on each machine.",
            (
                (
                    "Operators report faults on the fault board; Maintenance answers within one shift.",
                    "Operators report faults by scanning the QR code on the machine, which opens a fault report with "
                    "the machine filled in; Maintenance answers within one shift. The fault board lists the open "
                    "reports.",
                ),
            ),
            "prod.lead",
        ),
        standardized=Standardized(
            0,
            HOURS,
            "310",
            "About 700 fault reports a year, 26 minutes less of searching and walking each.",
        ),
        votes=14,
        comments=(
            Remark(-118, "employee", "Yes! And let us see the status of our report, please."),
            Remark(
                -116,
                "prod.lead",
                "Support this. Two things for the form:\n\n- machine number **pre-filled**\n- a photo field",
            ),
            Remark(-60, "maint.lead", "Median down from 48 to **22 minutes**. Rolling out to Hall 4."),
        ),
    ),
    IdeaPlan(
        -95,
        "eng.design",
        "Ballooned drawings exported from CAD for first-article inspection",
        STANDARDIZED,
        problem="For each first-article inspection the inspector balloons the drawing by hand and types the "
        "dimensions into the report: about 45 minutes, and the numbering does not always match.",
        proposal="Our CAD has a balloon add-in that exports the ballooned drawing and a report table with every "
        "dimension and tolerance. Use that.",
        category=TIME,
        benefit="Faster first articles, no missed dimensions.",
        accepted=Decision(-90, "qa.engineer"),
        cycles=(
            Cycle(
                -88,
                "Time to prepare a first-article report",
                "75 min (45 ballooning, 30 table)",
                "15 min",
                do=-80,
                do_notes="Add-in used for the six first articles of the dosing head project.",
                check=-45,
                measured="12 min on average",
                check_notes="No dimension missed; the inspectors prefer the exported table.",
                act=-40,
                act_notes="The first-article instruction asks for the exported drawing and table.",
            ),
        ),
        change=DocumentChange(
            "First-article inspection",
            "Ballooned drawing and report table exported from CAD.",
            (
                (
                    "Measure every dimension and note on the drawing, numbered with balloons.",
                    "Measure every dimension and note on the drawing, numbered with balloons: use the ballooned "
                    "drawing and report table exported from CAD, not balloons drawn by hand.",
                ),
            ),
            "prod.lead",
        ),
        standardized=Standardized(
            0,
            HOURS,
            "95",
            "About 90 first articles a year, an hour less each.",
        ),
        votes=7,
    ),
    IdeaPlan(
        -75,
        "log.clerk",
        "Coloured month tags on pallets, so FIFO is visible from the aisle",
        STANDARDIZED,
        problem="FIFO depends on reading the booking date in the ERP. In a hurry the nearest pallet is taken, and "
        "O-rings and seals age on the back rows until they are written off.",
        proposal="A coloured tag on every pallet for its month of receipt, eight colours in rotation, with the "
        "colour chart at the warehouse entrance.",
        category=QUALITY,
        benefit="Old stock used first; fewer write-offs of aged seals.",
        accepted=Decision(-70, "log.lead"),
        cycles=(
            Cycle(
                -68,
                "Pallets issued out of FIFO order (weekly check of 40 pallets)",
                "6 of 40",
                "1 of 40 or fewer",
                do=-60,
                do_notes="Tags in aisles A to C of Hall 4 for four weeks; aisles D to F without, for comparison.",
                check=-30,
                measured="1 of 40 in aisles A to C; 5 of 40 in D to F",
                act=-25,
                act_notes="Tags in every aisle; the colours go into the handling procedure.",
            ),
        ),
        change=DocumentChange(
            "Handling, storage and delivery",
            "Coloured month-of-receipt tags on every pallet.",
            (
                (
                    "Stock is issued first in, first out.",
                    "Stock is issued first in, first out. Every pallet carries the coloured tag of its month of "
                    "receipt; the colour chart hangs at the warehouse entrance.",
                ),
            ),
            "qa.engineer",
        ),
        standardized=Standardized(
            0,
            MONEY,
            "3200",
            "Write-offs of aged O-rings and seals, estimated from the last quarter against the one before.",
        ),
        votes=9,
        comments=(
            Remark(-74, "prod.op3", "We found 2-year-old O-rings last month. Please do this."),
            Remark(-30, "log.lead", "Clear difference between the aisles. Writing it into the SOP."),
        ),
    ),
)

REJECTED_IDEAS: tuple[IdeaPlan, ...] = (
    IdeaPlan(
        -190,
        "pur.lead",
        "Buy O-rings from the cheapest of three suppliers each quarter",
        REJECTED,
        problem="O-ring prices differ by up to 30 % between suppliers, and we buy from one.",
        proposal="Ask three suppliers for a quote every quarter and order from the cheapest.",
        category=COST,
        stopped=Stopped(
            -168,
            REJECTED,
            "Every new supplier needs a first-article inspection and an approval, and the cut O-rings of the last "
            "months show what an unproven supplier costs. A frame contract with two approved suppliers is the "
            "better lever; Purchasing takes that up in the supplier review.",
        ),
        votes=1,
    ),
    IdeaPlan(
        -175,
        "prod.lead",
        "Let the operator release the line after cleaning",
        REJECTED,
        problem="After cleaning, the line waits for the shift supervisor to sign the release, up to 30 minutes at "
        "night.",
        proposal="Trained operators release the line themselves when both ATP results pass.",
        category=TIME,
        stopped=Stopped(
            -154,
            REJECTED,
            "Two of our pharma customers require release after cleaning by a second, independent person, and the "
            "cleaning instruction is written that way. The waiting time is real: a call-out rota for the night "
            "supervisor should shorten it.",
        ),
        votes=3,
    ),
    IdeaPlan(
        -140,
        "prod.op4",
        "Drop the hourly fill-weight check on line 2: the checkweigher does it anyway",
        REJECTED,
        problem="Every hour we take ten bottles off the line and weigh them, although the checkweigher weighs every "
        "bottle.",
        proposal="Stop the hourly manual check.",
        category=TIME,
        anonymous=True,
        stopped=Stopped(
            -126,
            REJECTED,
            "The checkweigher rejects single bottles but is not verified as a measuring instrument for release, and "
            "the customer's specification asks for the hourly sample. Making the check quicker is the better "
            "way: ideas for that are welcome.",
        ),
        votes=2,
    ),
    IdeaPlan(
        -210,
        "eng.design",
        "3D-print the DU-200 front cover instead of moulding it",
        REJECTED,
        problem="The mould for the front cover needs repair every two years, and small changes to the cover take "
        "months.",
        proposal="Print the covers on the new SLS printer.",
        category=COST,
        stopped=Stopped(
            -192,
            REJECTED,
            "At 4,000 covers a year a moulded cover costs EUR 1.80 and a printed one EUR 9.40, and the printed "
            "surface does not meet the cleanability requirement for food contact. Printing stays for prototypes.",
        ),
        votes=3,
        comments=(
            Remark(
                -200,
                "eng.lead",
                "Costed it with the printer supplier: see the numbers in the decision. Great for prototypes though.",
            ),
        ),
    ),
    IdeaPlan(
        -130,
        "prod.op2",
        "Skip the second visual check at packing when the first one found nothing",
        REJECTED,
        problem="Units are checked visually at the end of assembly and again at packing. The second check almost "
        "never finds anything.",
        proposal="Only check again at packing when the first check found something.",
        category=TIME,
        stopped=Stopped(
            -121,
            REJECTED,
            "The second check is the four-eyes check that our pharma customers require in their quality agreements. "
            "It stays; the magnifier lamps idea may make it faster.",
        ),
        votes=2,
    ),
    IdeaPlan(
        -45,
        "sales.rep",
        "Offer a five-year warranty on all dosing units",
        REJECTED,
        problem="Two competitors now offer five years; customers ask us why we give two.",
        proposal="Extend the warranty to five years.",
        category=CUSTOMER,
        source=FROM_CUSTOMER,
        accepted=None,
        stopped=Stopped(
            -36,
            REJECTED,
            "A warranty is a commercial decision, not an improvement project. Passed to the Managing Director and "
            "Sales for the next price review, with the failure data of the last five years.",
        ),
        votes=4,
        comments=(
            Remark(
                -36,
                "ceo",
                "Thanks Kenji, a fair question. We look at it in the next price review; "
                "@sales.lead please bring the failure data.",
            ),
        ),
    ),
)

PARKED_IDEAS: tuple[IdeaPlan, ...] = (
    IdeaPlan(
        -155,
        "hr.lead",
        "A skills board in each hall",
        PARKED,
        problem="Shift leads cannot see who is trained for which machine without asking HR for the training matrix.",
        proposal="A magnetic skills board in each hall, updated by the shift leads.",
        category=QUALITY,
        stopped=Stopped(
            -137,
            PARKED,
            "Parked until the ERP project decides whether the training matrix moves into the HR module next year: a "
            "board now would be a third copy to keep up to date.",
        ),
        votes=2,
        comments=(
            Remark(
                0,
                "auditor",
                "The production audit raised the same point as an opportunity for improvement: the skills of each "
                "operator are visible only in HR's training matrix. Worth taking up again?",
            ),
        ),
    ),
    IdeaPlan(
        -220,
        "eng.process",
        "Heat Hall 4 with the waste heat of the compressors",
        PARKED,
        problem="The compressors blow warm air out of the roof while Hall 4 is heated with gas.",
        proposal="A heat recovery unit on the two compressors, ducted into Hall 4.",
        category=ENVIRONMENT,
        benefit="About 40 % less gas for Hall 4.",
        stopped=Stopped(
            -200,
            PARKED,
            "Good payback (about three years), but it needs EUR 38,000 that are not in this year's budget. Parked "
            "for the investment plan of next year.",
        ),
        votes=8,
        comments=(Remark(-205, "maint.lead", "Quote from the compressor supplier attached to the budget request."),),
    ),
    IdeaPlan(
        -160,
        "log.clerk",
        "Fast doors between Hall 2 and Hall 4",
        PARKED,
        problem="The fire doors between the halls stand open all day for the forklifts. It is cold and draughty at "
        "the packing stations, and forklifts and people cross there blind.",
        proposal="A fast-action door with a sensor, closing behind each forklift.",
        category=SAFETY,
        department="LOG",
        anonymous=True,
        accepted=Decision(-150, "log.lead", "Accepted; Grace looks into it with the landlord."),
        cycles=(Cycle(-146, "Near misses at the hall passage per quarter", "4", "0"),),
        stopped=Stopped(
            -120,
            PARKED,
            "The landlord must approve any change to the fire doors and has not answered; parked until he does.",
        ),
        votes=6,
    ),
    IdeaPlan(
        -125,
        "eng.design",
        "A barcode with the revision on every drawing print",
        PARKED,
        problem="Printed drawings at the machines cannot be checked against the current revision without walking to "
        "a PC.",
        proposal="Print a barcode with the drawing number and revision on every print; a scanner at each hall "
        "shows whether it is current.",
        category=QUALITY,
        stopped=Stopped(
            -110,
            PARKED,
            "The coming upgrade of the drawing management system stamps every print with a QR code that does "
            "exactly this. Parked until then rather than building it twice.",
        ),
        votes=3,
    ),
    IdeaPlan(
        -90,
        "prod.op4",
        "Thinner stretch film for pallets",
        PARKED,
        problem="We use 23 µm stretch film; a thinner pre-stretched film is on the market for less money.",
        proposal="Switch to the 12 µm pre-stretched film.",
        category=COST,
        stopped=Stopped(
            -80,
            PARKED,
            "The sample failed the drop test of our packaging specification. Parked until the supplier offers the "
            "stronger grade announced for next quarter.",
        ),
        votes=1,
    ),
)

DECIDED: tuple[IdeaPlan, ...] = (*STANDARDIZED_IDEAS, *REJECTED_IDEAS, *PARKED_IDEAS)
