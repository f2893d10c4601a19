"""The demo nonconformity log: ten entries from the last seven months, reported by the people who found them.

Four were escalated to CAPAs (their stories are in `ended.py` and `in_progress.py`), four were closed with a
disposition, and two are still waiting for triage, one of them a customer complaint whose answer is overdue.
"""

from __future__ import annotations

from capa.demo.plans import (
    COMPLAINT,
    CORRECTED,
    DEVIATION,
    HIGH,
    INTERNAL,
    LOW,
    MEDIUM,
    RETURN_TO_SUPPLIER,
    REWORK,
    SUPPLIER,
    NonconformityPlan,
    Triage,
)

STAINLESS_BAR = "Stainless bar delivered without its 3.1 material certificate"
UNDERFILLED = "Underfilled bottles on filling line 2, batch 0311"
TORQUE_WRENCH = "Torque wrench TW-17 reads 9 % low at its quarterly calibration"
WRONG_LABELS = "DU-200 dosing units delivered with DU-250 labels"

NONCONFORMITIES: tuple[NonconformityPlan, ...] = (
    NonconformityPlan(
        -196,
        "prod.op3",
        STAINLESS_BAR,
        "Delivery note 448120 from Nordic Steel AB: six bars of 1.4404, heat 28817, arrived without the EN 10204 3.1 "
        "certificate that the order requires. Goods receipt booked them in; incoming inspection found the gap two days "
        "later, when the bars had already been cut into 40 dosing head bodies.",
        SUPPLIER,
        MEDIUM,
        "PUR",
        "8.4.2",
        location="Goods receipt, Hall 4; machining cell 2",
        containment="The remaining bars and the 40 machined bodies blocked in quarantine Q-2; certificate requested "
        "from Nordic Steel.",
    ),
    NonconformityPlan(
        -171,
        "employee",
        UNDERFILLED,
        "Hourly fill-weight check at 14:00: 5 of 10 bottles below the lower limit of 495 g, the lightest 488 g. The "
        "13:00 check was within limits. About 1,900 bottles were filled between the two checks.",
        DEVIATION,
        HIGH,
        "PROD",
        "8.5.1",
        location="Filling line 2, heads 3 and 7",
        containment="Line stopped; the 1,900 bottles filled since 13:00 blocked and check-weighed one by one: 212 "
        "underfilled bottles scrapped, the rest released by Quality.",
    ),
    NonconformityPlan(
        -128,
        "maint.tech",
        TORQUE_WRENCH,
        "TW-17 (10-60 Nm) measured 9 % low at 60 Nm on tester TT-2, against a limit of ±4 %; at 20 Nm it was within "
        "limits. Since its last calibration three months ago it was used at assembly station 3 for the M8 housing "
        "bolts (25 Nm) and the M10 flange bolts (55 Nm) of the DH-30 dosing head.",
        INTERNAL,
        MEDIUM,
        "MAINT",
        "7.1.5",
        location="Assembly station 3",
        containment="TW-17 withdrawn and the spare TW-31 issued. Quality to check the flange bolts of the dosing heads "
        "assembled since the last good calibration.",
    ),
    NonconformityPlan(
        -104,
        "prod.op2",
        "Scratched covers on 12 dosing units after internal transport",
        "Twelve DU-200 units of production order 0367 reached packing with scratches on the front cover. The padding "
        "of the transport trolley was torn.",
        INTERNAL,
        LOW,
        "PROD",
        "8.5.4",
        location="Between assembly and packing, Hall 2",
        containment="The twelve units held at packing.",
        closed=Triage(
            -102,
            REWORK,
            "Covers polished and re-inspected by Quality: all twelve accepted. The trolley's padding was replaced the "
            "same day. One worn trolley, no systematic cause: no CAPA. Trolleys added to the monthly 5S walk.",
        ),
    ),
    NonconformityPlan(
        -83,
        "prod.op3",
        "Cut O-rings in a delivery from Precision Seals GmbH, lot PS-23988",
        "At the 100 % inspection under the temporary work instruction, 37 of 2,000 O-rings (1.9 %) had cuts at the "
        "parting line.",
        SUPPLIER,
        MEDIUM,
        "PUR",
        "8.4.2",
        location="Goods receipt inspection bench",
        containment="The 37 O-rings rejected and bagged with the delivery note number; the rest released after "
        "inspection.",
        closed=Triage(
            -81,
            RETURN_TO_SUPPLIER,
            "Rejected O-rings returned for credit. The defect is the one the open supplier CAPA on Precision Seals "
            "deals with; this lot is recorded there as evidence for its effectiveness check, not as a new CAPA.",
        ),
    ),
    NonconformityPlan(
        -58,
        "sales.rep",
        "Three dosing units delivered in crushed cartons",
        "Nordwind Foods received three DU-250 units of delivery 80-5512 in crushed outer cartons. The units are "
        "undamaged and work; the customer asks for new cartons to store them and for an explanation.",
        COMPLAINT,
        LOW,
        "LOG",
        "8.5.4",
        location="Delivery 80-5512, carrier Baltic Freight",
        containment="Replacement cartons sent with the next delivery.",
        customer="Nordwind Foods A/S",
        customer_reference="NWF-QC-3391",
        reply_in=10,
        closed=Triage(
            -55,
            CORRECTED,
            "The carrier's photos show forklift damage in its hub; our packing was to instruction. Claim filed with "
            "Baltic Freight, customer answered on day three with the carrier's statement. The cause lies outside our "
            "processes: no CAPA.",
        ),
    ),
    NonconformityPlan(
        -41,
        "sales.lead",
        WRONG_LABELS,
        "Alpenquell received 24 cartons labelled DU-250 that contained DU-200 units (delivery 80-5467, production "
        "order 0402). Their fitter noticed when the flow rate did not match the label at installation. The two "
        "variants look the same from outside.",
        COMPLAINT,
        HIGH,
        "PROD",
        "8.5.2",
        location="Packing line 1",
        containment="Our field service sorted the customer's stock on site and relabelled the 24 units. Our own stock "
        "of DU-200 and DU-250 checked: three more wrong cartons found and relabelled.",
        customer="Alpenquell Getränke AG",
        customer_reference="AQ-RMA-2291",
        reply_in=10,
    ),
    NonconformityPlan(
        -19,
        "prod.op4",
        "Cleaning agent dosed at 1.5 % instead of 2 % on filling line 2",
        "At the batch change on the late shift the CIP-250 concentration measured 1.5 %; the work instruction asks for "
        "2 % since the cleaning agent changed. The dosing pump was still set for the old agent.",
        DEVIATION,
        MEDIUM,
        "PROD",
        "8.5.1",
        location="Filling line 2, CIP station",
        containment="Cleaning repeated at 2 % before release; both ATP results below 150 RLU.",
        closed=Triage(
            -18,
            CORRECTED,
            "Cleaning repeated and recorded; the pump setting corrected and sealed by Maintenance. The setting was "
            "missed once when the agent changed, and Purchasing's checklist for changed consumables now asks for "
            "dosing settings. No CAPA.",
        ),
    ),
    NonconformityPlan(
        -9,
        "sales.rep",
        "Delivery without its certificate of conformity",
        "Delivery 80-5590 (ten DU-250 units) reached Hansa Molkerei without the certificate of conformity their "
        "purchase conditions require; their goods receipt has blocked the units.",
        COMPLAINT,
        MEDIUM,
        "QA",
        "8.6",
        location="Delivery 80-5590",
        containment="Certificate issued again and e-mailed to the customer the same day.",
        customer="Hansa Molkerei eG",
        customer_reference="HM-QS-0118",
        reply_in=7,
    ),
    NonconformityPlan(
        -2,
        "prod.op3",
        "Pressure gauge at press P-12 without a calibration label",
        "Gauge PG-114 on the hydraulic unit of press P-12 has no calibration label; the calibration register lists it "
        "as due last month.",
        INTERNAL,
        LOW,
        "PROD",
        "7.1.5",
        location="Press P-12",
        containment="PG-114 replaced by the calibrated spare PG-131.",
    ),
)
