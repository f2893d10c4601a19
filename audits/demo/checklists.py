"""Checklist templates a lead auditor keeps per clause: the questions every audit of that clause starts from."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "4.1": (
        "Which internal and external issues has top management determined, and when were they last reviewed? Ask "
        "for the record.",
    ),
    "4.4": (
        "Does every process have an owner, inputs and outputs, objectives and indicators? Pick two processes and "
        "trace them.",
    ),
    "5.1": (
        "Ask top management how they promote the process approach and risk-based thinking; which recent decision "
        "shows it?",
        "How does top management make sure customer requirements are determined and met? Ask about the last "
        "escalated complaint.",
    ),
    "5.2": ("Can employees at their workplace say what the quality policy means for their own work? Ask three.",),
    "6.1": (
        "Show the register of risks and opportunities: is each rated, with an owner and an action, and was the "
        "effectiveness of the actions evaluated?",
    ),
    "6.2": (
        "Are the quality objectives measurable and monitored, with who, what, by when and how results are evaluated?",
    ),
    "6.3": ("Pick a recent change to the QMS (new site, new process): was it planned, resourced and reviewed?",),
    "7.1.3": (
        "Is preventive maintenance of production equipment done as planned? Compare the plan with the records of the "
        "last three months for two machines.",
        "How are breakdowns recorded, and are repeat breakdowns analysed?",
    ),
    "7.1.5": (
        "Sample five instruments at the point of use: are they identified, within their calibration date and "
        "listed in the register?",
        "Are the calibration standards traceable to national standards? Ask for the certificates.",
        "When an instrument was found out of tolerance, was the validity of earlier results assessed and recorded?",
    ),
    "7.2": (
        "Pick three people at their workplace: does the training matrix show them qualified for the work they are "
        "doing today, with records?",
        "How was the effectiveness of recent training evaluated?",
    ),
    "7.3": (
        "Are people aware of the nonconformities and findings in their area and of what they change in their work?",
    ),
    "7.4": ("How are changes to procedures and quality results communicated to the shop floor and the night shift?",),
    "7.5.2": (
        "Sample three recently revised documents: are they identified, reviewed and approved by someone other than "
        "the author, with the change described?",
        "Are documents reviewed within their review period? Check the overdue list.",
    ),
    "7.5.3": (
        "Are the current revisions available at the point of use? Compare two workstations with the register.",
        "How is unintended use of obsolete documents prevented? Look for superseded or retired documents on the "
        "shop floor.",
        "Are records protected, retained for the defined period and retrievable? Ask for a record from last year.",
    ),
    "8.2.1": (
        "Sample five customer complaints: were they confirmed, investigated and answered within the procedure's "
        "time limits?",
        "How are customers informed about changes to their orders and about delays?",
    ),
    "8.2.3": (
        "Sample five orders: was the order reviewed against the quote, the drawing revision and the delivery date "
        "before it was accepted, and is the review recorded?",
        "When an order was changed, were the changed requirements reviewed and passed on to production?",
    ),
    "8.3.4": (
        "Are design reviews, verification and validation done at the stages of the design plan, with records and "
        "the actions arising?",
        "Who takes part in design reviews, and are the functions concerned represented?",
    ),
    "8.3.6": ("Sample two design changes: were they identified, reviewed, verified and authorised before release?",),
    "8.4.1": (
        "Are external providers evaluated, selected and re-evaluated against the criteria of the procedure? Sample "
        "three, one of them an outsourced process.",
        "Do purchase orders go only to approved suppliers, within their approved scope?",
    ),
    "8.4.2": (
        "How is the type and extent of control set for each supplier, and is it raised when performance drops?",
        "Are supplier corrective action requests followed up to closure and their effectiveness verified?",
    ),
    "8.4.3": (
        "Do purchase orders state the product, its revision, the quality requirements and any special process "
        "approvals?",
    ),
    "8.5.1": (
        "Are the current work instructions, drawings and inspection plans available at the workplace and followed? "
        "Observe one job from start to finish.",
        "Are the records required by the work instructions complete and signed? Sample two weeks.",
        "Is monitoring done at the stages planned, with suitable and calibrated equipment?",
    ),
    "8.5.2": (
        "Trace one finished product back to its raw material lots and inspection records, and one raw material lot "
        "forward to the customers it went to.",
        "Is the inspection status of product identified at every stage?",
    ),
    "8.5.4": (
        "Are products and materials stored so that they are protected from damage and deterioration, with "
        "shelf-life items used first-expired first-out?",
        "Is product handled and packed as the instructions require (ESD, cleanliness, packaging)?",
    ),
    "8.5.6": (
        "Sample two changes to production processes: were they reviewed, authorised by the people named in the "
        "procedure, and was the result of the review recorded?",
    ),
    "8.6": (
        "Is product released only after the planned checks are complete, and is the person who authorised the "
        "release recorded?",
        "Trace one release back to its first-article and final inspection records.",
    ),
    "8.7": (
        "Is nonconforming or suspect product identified and segregated so that it cannot be used by mistake? Walk "
        "to the quarantine area.",
        "Are NCRs recorded with a disposition and the person who authorised it? Sample five.",
        "Where product was used as is, was the customer's concession obtained?",
    ),
    "9.1.2": (
        "How is customer satisfaction monitored, and what was done with the results of the last survey?",
        "Are complaint trends analysed and reported?",
    ),
    "9.1.3": ("Which data are analysed for the management review, and do the conclusions lead to actions?",),
    "9.2": (
        "Does the audit programme cover every process and the results of earlier audits, with the impartiality of "
        "the auditors assured?",
        "Sample two reports: are findings supported by evidence, and were corrective actions verified?",
    ),
    "9.3": (
        "Did the last management review cover every input of 9.3.2, and are its decisions and actions recorded and "
        "followed up?",
    ),
    "10.2": (
        "Sample three nonconformities: was the cause determined, the action taken, and its effectiveness reviewed?",
        "Are similar nonconformities looked for elsewhere, and are risks and the QMS updated when needed?",
    ),
    "10.3": ("Which improvements came from the analysis of data and from employees' ideas in the last year?",),
}
