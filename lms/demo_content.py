"""Demo content for the CEC LMS: a fictional CE provider, three certifications with their
requirement rules, and three courses.

Plain data only (no imports), used to seed a demo site for IICRC-style carpet cleaning and
water damage restoration technicians. Facts are kept generic; they paraphrase public industry
knowledge and do not quote any standard.
"""

PROVIDER = {
    "name": "Northfield Restoration Academy",
    "website": "https://www.northfieldrestoration.example",
}

CERTIFICATIONS = [
    {
        "code": "CCT",
        "name": "Carpet Cleaning Technician",
        "credits_required": 2,
        "cycle_years": 2,
        "credit_unit": "CEC",
    },
    {
        "code": "WRT",
        "name": "Water Damage Restoration Technician",
        "credits_required": 4,
        "cycle_years": 2,
        "credit_unit": "CEC",
    },
    {
        "code": "MWR",
        "name": "Master Water Restorer",
        "credits_required": 14,
        "cycle_years": 2,
        "credit_unit": "CEC",
    },
]

#: Requirement rules, as versioned data: one entry per version (code + effective_from).
#: Illustrative, after IICRC's older rule (1 CEC = 7 hours, masters on a 2-year cycle, at
#: most 2 CECs from one event) and its newer per-person wording (14 CECs per 4 years, 1 CEC =
#: 1 hour; 14 per 2 years for masters).
RULES = [
    {
        "code": "CCT",
        "name": "Carpet Cleaning Technician",
        "certification_codes": ["CCT"],
        "pooled": False,
        "credits_required": "2",
        "hours_per_unit": "1",
        "cycle_months": 24,
        "category_minimums": {},
        "source_caps": [],
        "effective_from": "2015-01-01",
    },
    {
        "code": "WRT",
        "name": "Water Damage Restoration Technician",
        "certification_codes": ["WRT"],
        "pooled": False,
        "credits_required": "4",
        "hours_per_unit": "1",
        "cycle_months": 24,
        "category_minimums": {"technical": "1"},
        "source_caps": [{"source": "event", "per": "each", "max": "2"}],
        "effective_from": "2015-01-01",
    },
    {
        "code": "MWR",
        "name": "Master Water Restorer",
        "certification_codes": ["MWR"],
        "pooled": False,
        "credits_required": "2",
        "hours_per_unit": "7",
        "cycle_months": 24,
        "category_minimums": {},
        "source_caps": [{"source": "event", "per": "each", "max": "2"}],
        "effective_from": "2015-01-01",
    },
    {
        "code": "MWR",
        "name": "Master Water Restorer",
        "certification_codes": ["MWR"],
        "pooled": False,
        "credits_required": "14",
        "hours_per_unit": "1",
        "cycle_months": 24,
        "category_minimums": {},
        "source_caps": [{"source": "event", "per": "each", "max": "2"}],
        "effective_from": "2024-01-01",
    },
    {
        "code": "IICRC-POOLED",
        "name": "IICRC renewal (one per person)",
        "certification_codes": ["CCT", "WRT", "MWR"],
        "pooled": True,
        "credits_required": "2",
        "hours_per_unit": "7",
        "cycle_months": 48,
        "category_minimums": {},
        "source_caps": [{"source": "event", "per": "each", "max": "2"}],
        "effective_from": "2015-01-01",
    },
    {
        "code": "IICRC-POOLED",
        "name": "IICRC renewal (one per person)",
        "certification_codes": ["CCT", "WRT", "MWR"],
        "pooled": True,
        "credits_required": "14",
        "hours_per_unit": "1",
        "cycle_months": 48,
        "category_minimums": {},
        "source_caps": [{"source": "event", "per": "each", "max": "2"}],
        "effective_from": "2024-01-01",
    },
]

#: The demo graduate's certifications: code, number, months before today they were
#: certified. CCT a year ago (its 2 CECs are done by the demo courses); WRT 20 months ago (4
#: months left with 1 of 4 CECs: at risk); the pooled rule is anchored on the WRT date.
GRADUATE_HOLDINGS = [
    ("CCT", "CCT-204518", 12),
    ("WRT", "WRT-204519", 20),
]

COURSES = [
    # ------------------------------------------------------------------------------------------
    # Course 1: Hot Water Extraction Fundamentals (CCT, 1 credit)
    # ------------------------------------------------------------------------------------------
    {
        "slug": "hot-water-extraction-fundamentals",
        #: The certifying body's approval: its number and how many days from today it lasts.
        "approval": ("IICRC-CEC-26-0142", 730),
        "title": "Hot Water Extraction Fundamentals",
        "summary": (
            "A practical refresher on the hot water extraction process, from pre-inspection and "
            "dry soil removal to pre-spray chemistry, rinsing, and fast drying."
        ),
        "credits": "1",
        "certifications": ["CCT"],
        "duration_minutes": 60,
        "modules": [
            {
                "title": "Inspection, fiber identification, and pre-vacuuming",
                "body": """\
Good extraction results are decided before the wand ever touches the carpet. A short
walk-through with the customer lets you set expectations, spot problems early, and choose the
right chemistry for the job.

During the pre-inspection, note and point out to the customer:

- **Fiber type** (nylon, polyester, olefin, wool, or a blend), taken from labels, purchase
  records, or a fiber test
- Permanent stains, sun fading, traffic-lane wear, and seam or backing damage
- Spots that may need special spotters, such as coffee, rust, or pet urine
- Furniture, delicate trim, and anything else that must be moved or protected

**Fiber identification matters** because chemistry that is safe on synthetics can damage
natural fibers. Wool and other protein fibers are sensitive to high alkalinity and high heat,
so they call for wool-safe products and more moderate conditions. Olefin resists water-based
stains but readily attracts oily soil. When in doubt, test an inconspicuous area for
colorfastness before you start.

**Dry soil removal comes first.** Most of the soil in a carpet is dry particulate matter such
as sand, grit, and dust. Water turns that soil into mud that is harder to extract, so a thorough
pre-vacuum, using slow overlapping passes in more than one direction, removes a large share of
it before any liquid is applied. Pay extra attention to entryways and traffic lanes, where grit
collects and cuts the fibers.

Finally, protect the job site: place corner guards, lay runners from the door to the work area,
and route hoses away from doorways and furniture legs. Record what you found on the work order
and ask the customer to sign off on pre-existing conditions. That signature protects both of
you if questions come up later.""",
            },
            {
                "title": "Pre-spray chemistry: pH, dwell time, and agitation",
                "body": """\
Cleaning results come from four factors working together: **temperature, agitation, chemical
action, and time**. If one factor is reduced, another has to make up the difference.
Pre-spraying puts chemistry and time to work.

**pH** describes how acidic or alkaline a solution is on a scale of 0 to 14, with 7 being
neutral. Each whole number is a tenfold change, so a solution at pH 10 is ten times more
alkaline than one at pH 9. Most everyday carpet soils are acidic or oily, so traffic-lane
pre-sprays for synthetic carpet are usually alkaline.

| Product | Typical pH | Common use |
|---|---|---|
| Traffic-lane pre-spray | about 9 to 11 | Oily and traffic-lane soil on synthetics |
| Wool-safe pre-spray | near neutral to mildly alkaline | Wool and other protein fibers |
| Acidic rinse | about 4 to 6 | Neutralizing residue, reducing browning |

Follow the manufacturer's dilution ratio. Stronger is not better:
over-concentrated chemistry leaves sticky residue that attracts soil and leads to rapid
resoiling.

**Dwell time** is the period the pre-spray sits on the carpet before extraction, giving the
chemistry time to loosen and suspend soil. Many products need roughly 10 to 15 minutes, but
check the label. **Do not let the pre-spray dry on the fibers**; if a section starts to dry,
mist it lightly again.

**Agitation** spreads the chemistry evenly and breaks the bond between soil and fiber. Use a
grooming brush, a counter-rotating brush machine, or a rotary tool suited to the carpet
construction, and be gentle on wool and on loop piles that can fuzz or snag.

Good habits:

- Pre-spray in manageable sections so dwell time stays consistent
- Give entryways and heavy traffic lanes extra product and agitation
- Keep a spray bottle of plain water handy to flush chemistry off hard surfaces""",
            },
            {
                "title": "Extraction, rinsing, and drying",
                "body": """\
Extraction removes the loosened soil, the spent chemistry, and as much water as possible. The
goal is a clean carpet that is **dry within a few hours**, not one that stays damp overnight.

Good extraction technique:

- Work in straight, overlapping strokes, pulling the wand toward you with the spray on
- Finish each area with one or more **dry passes** (vacuum only, no solution)
- Keep the wand head flat so the vacuum seal is not broken
- Use a pressure and temperature suited to the fiber; more is not always better
- Empty the recovery tank before it is full

**Rinsing** with clear water or a mildly acidic rinse removes detergent residue left by alkaline
pre-sprays. Residue is sticky; it attracts soil and makes a carpet look dirty again soon after
cleaning. An acidic rinse also brings fiber pH back toward neutral and reduces the risk of
browning on natural fibers and cellulosic backings.

**Over-wetting** is the most common cause of complaints after cleaning. Water that soaks through
to the backing and cushion can cause **wicking**, where soil or color from below rises to the
tips of the fibers as they dry. It also extends drying time and creates conditions in which
odors and microbial growth can develop.

Speed up drying by:

- Placing air movers so they blow across the carpet surface
- Running the HVAC system, or opening windows only when the outdoor air is drier than inside
- Grooming the pile so it stands up and dries evenly

Before you leave, set blocks or tabs under furniture legs to prevent rust and dye transfer, walk
the job with the customer, and leave written care instructions. Ask them to keep traffic to a
minimum and to avoid street shoes on the carpet until it is completely dry.""",
            },
        ],
        "quiz": {
            "title": "Final quiz: Hot Water Extraction Fundamentals",
            "pass_percent": 70,
            # Unlimited, untimed practice: correct answers and feedback right after submitting.
            "settings": {"review_shows": "answers", "review_when": "immediately"},
            "questions": [
                {
                    "type": "single",
                    "prompt": "Why should carpet be thoroughly pre-vacuumed before hot water "
                    "extraction?",
                    "points": 1,
                    "explanation": (
                        "Most carpet soil is dry particulate matter. Removing it dry is easier "
                        "than extracting it after water has turned it into mud."
                    ),
                    "choices": [
                        {
                            "text": "Most soil is dry particulate that is easier to remove "
                            "before it gets wet.",
                            "correct": True,
                            "feedback": "Correct. Water turns dry soil into mud that is harder "
                            "to extract.",
                        },
                        {
                            "text": "Vacuuming raises the carpet's pH so the pre-spray works "
                            "better.",
                            "correct": False,
                            "feedback": "Vacuuming has no effect on pH; it removes dry soil.",
                        },
                        {
                            "text": "Pre-vacuuming is only needed on wool carpet.",
                            "correct": False,
                            "feedback": "Dry soil removal benefits every fiber type, not just "
                            "wool.",
                        },
                        {
                            "text": "It replaces the need for a pre-spray on lightly soiled "
                            "carpet.",
                            "correct": False,
                            "feedback": "Pre-vacuuming removes dry soil; oily and bonded soil "
                            "still needs chemistry and agitation.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "What is the main purpose of pre-spray dwell time?",
                    "points": 1,
                    "explanation": (
                        "Dwell time gives the chemistry time to loosen and suspend soil before "
                        "extraction. The pre-spray should not be allowed to dry."
                    ),
                    "choices": [
                        {
                            "text": "To give the chemistry time to loosen and suspend soil",
                            "correct": True,
                            "feedback": "Correct. Time is one of the four cleaning factors.",
                        },
                        {
                            "text": "To let the carpet dry so it is not over-wet during extraction",
                            "correct": False,
                            "feedback": "The pre-spray should never dry on the fibers; re-mist "
                            "if it starts to dry.",
                        },
                        {
                            "text": "To neutralize alkaline residue left from earlier cleanings",
                            "correct": False,
                            "feedback": "Neutralizing residue is the job of an acidic rinse, "
                            "not of an alkaline pre-spray.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "Which fiber is sensitive to high alkalinity and high heat and "
                    "calls for wool-safe chemistry?",
                    "points": 1,
                    "explanation": (
                        "Wool is a protein fiber. High alkalinity and high heat can damage it, "
                        "so use wool-safe products and moderate conditions."
                    ),
                    "choices": [
                        {
                            "text": "Wool",
                            "correct": True,
                            "feedback": "Correct. Wool and other protein fibers need gentler "
                            "chemistry.",
                        },
                        {
                            "text": "Nylon",
                            "correct": False,
                            "feedback": "Nylon is a synthetic fiber commonly cleaned with an "
                            "alkaline traffic-lane pre-spray.",
                        },
                        {
                            "text": "Olefin",
                            "correct": False,
                            "feedback": "Olefin is synthetic; its main weakness is that it "
                            "attracts oily soil.",
                        },
                        {
                            "text": "Polyester",
                            "correct": False,
                            "feedback": "Polyester is a synthetic fiber and tolerates alkaline "
                            "pre-sprays.",
                        },
                    ],
                },
                {
                    "type": "multiple",
                    "prompt": "Which practices help carpet dry faster after extraction?",
                    "points": 2,
                    "explanation": (
                        "Dry passes, air movers blowing across the surface, and grooming the pile "
                        "all speed drying. Extra wet passes and heavier chemistry add moisture "
                        "and residue."
                    ),
                    "choices": [
                        {
                            "text": "Finishing each area with dry (vacuum-only) passes",
                            "correct": True,
                            "feedback": "Correct. Dry passes remove water the wet strokes left "
                            "behind.",
                        },
                        {
                            "text": "Placing air movers to blow across the carpet surface",
                            "correct": True,
                            "feedback": "Correct. Airflow across the surface speeds evaporation.",
                        },
                        {
                            "text": "Grooming the pile so it stands up",
                            "correct": True,
                            "feedback": "Correct. Groomed pile dries more evenly.",
                        },
                        {
                            "text": "Making extra wet passes with higher pressure",
                            "correct": False,
                            "feedback": "Extra wet passes risk over-wetting, which slows "
                            "drying and can cause wicking.",
                        },
                        {
                            "text": "Applying pre-spray at double the label concentration",
                            "correct": False,
                            "feedback": "Over-concentrated chemistry leaves residue and does "
                            "not help drying.",
                        },
                    ],
                },
                {
                    "type": "truefalse",
                    "prompt": "For the best results, a pre-spray should be allowed to dry "
                    "completely on the carpet before extraction.",
                    "points": 1,
                    "explanation": (
                        "False. The pre-spray should not dry on the fibers. If a section starts "
                        "to dry during dwell time, mist it lightly again."
                    ),
                    "answer": False,
                },
            ],
        },
    },
    # ------------------------------------------------------------------------------------------
    # Course 2: Category and Class of Water Intrusion (WRT, 2 credits)
    # ------------------------------------------------------------------------------------------
    {
        "slug": "category-and-class-of-water-intrusion",
        #: The certifying body's approval: its number and how many days from today it lasts.
        "approval": ("IICRC-CEC-26-0157", 365),
        "title": "Category and Class of Water Intrusion",
        "summary": (
            "Learn to judge how contaminated a water loss is (category) and how much water must "
            "be evaporated (class), and how those two assessments shape safety, removal, and "
            "drying decisions."
        ),
        "credits": "2",
        "certifications": ["WRT"],
        "duration_minutes": 120,
        "modules": [
            {
                "title": "Categories of water: judging contamination",
                "body": """\
Every water damage job starts with two questions: how contaminated is the water, and how much
of it has to be evaporated? The first question is answered by the **category**, which describes
contamination and the potential risk to health. The ANSI/IICRC S500 standard for professional
water damage restoration, available from the [IICRC](https://iicrc.org), describes three
categories.

- **Category 1** comes from a sanitary source and poses no substantial risk at the time of the
  intrusion. Examples: a broken supply line, a faucet left running, or a tub overflow with no
  contaminants.
- **Category 2** contains significant contamination and could cause discomfort or sickness if
  people are exposed. Examples: washing machine or dishwasher discharge, aquarium water, and a
  toilet overflow with urine but no feces.
- **Category 3** is grossly contaminated and may contain pathogens, toxic substances, or other
  harmful agents. Examples: sewage, toilet backflow from beyond the trap, seawater, and rising
  water from rivers or streams that enters the building.

**Category can get worse over time.** Clean water picks up contaminants as it moves through
building materials, soil, and debris, and microorganisms multiply as time passes and
temperatures rise. A Category 1 loss left untreated for several days may need to be handled as
Category 2 or 3. Odors, visible growth, and the materials the water passed through are all clues.

**Appearance is not a reliable guide.** Clear water can still be Category 2 or 3. When you are
unsure, treat the loss as the higher category until a proper assessment shows otherwise.

Record the source, the time of the loss as reported by the customer, and your reasoning in the
job file. Category drives your PPE, your removal decisions, and your cleaning methods, so it
must be documented from the first visit.""",
            },
            {
                "title": "Classes of water: estimating the evaporation load",
                "body": """\
The **class** of water describes something different from category: the estimated
**evaporation load**, based on how much water has been absorbed and how porous the wet
materials are. Class helps you decide how many dehumidifiers and air movers to set and how long
drying is likely to take.

Class says nothing about contamination. A small sewage backup can be Category 3 and Class 1,
while a large clean-water supply line break can be Category 1 and Class 3.

| Class | Evaporation load | Typical situation |
|---|---|---|
| 1 | Least | Small area, mostly low-porosity materials, little absorbed water |
| 2 | Significant | Wet carpet and cushion across a room, walls wet a short way up |
| 3 | Greatest | Water from above; ceilings, walls, insulation, and floors wet |
| 4 | Specialty | Deeply held water in hardwood, plaster, masonry, or concrete |

Current editions of the standard estimate class by comparing the area of wet, porous surfaces
(floor, walls, and ceiling) with the total surface area of the affected space, roughly:

- **Class 1**: less than about 5 percent of the combined surface area is wet, porous material
- **Class 2**: about 5 to 40 percent
- **Class 3**: more than about 40 percent
- **Class 4**: water bound deep in low-porosity or low-permeance materials, regardless of area

Class 4 jobs need **specialty drying**: lower humidity than usual, added heat, directed airflow,
or drying mats, and they take considerably longer than a typical carpet-and-drywall job.

Reassess class whenever new wet areas are found. Hidden moisture behind baseboards, under
cabinets, and inside wall cavities can move a job from Class 2 to Class 3 and change your whole
equipment plan.""",
            },
            {
                "title": "From assessment to action: safety, removal, and communication",
                "body": """\
Once you have identified category and class, the job plan follows. Start with safety.

**Safety first:**

- Confirm the water source is stopped, and check for electrical hazards before entering
  standing water
- Match PPE to the category: gloves and eye protection as a minimum, adding respiratory
  protection, protective suits, and boots for Category 2 and 3 work as conditions require
- Keep occupants, especially children, older adults, and people with weakened immune systems,
  out of Category 3 work areas

**Removal decisions** depend heavily on category. As a general rule:

- **Category 1**: carpet and cushion can often be dried in place if work starts promptly
- **Category 2**: carpet may be cleaned and dried in place, but the cushion is usually removed
  and discarded because it is so hard to clean
- **Category 3**: porous materials such as carpet, cushion, and wet drywall are generally
  removed and discarded, followed by cleaning and, where appropriate, an antimicrobial
  application

**Extract standing water early.** Removing liquid water with an extractor is far faster and
cheaper than evaporating it later with dehumidifiers.

**Communication** is part of the job. Explain to the customer, in plain language, what the
category and class mean for their home, what will be removed and why, and roughly how long
drying will take. Photograph the source, the affected areas, and any removed materials, and
note every change in category or class, with the reason, in the job file.

Finally, know your limits. Large Category 3 losses, suspected asbestos or lead paint in
materials that must be disturbed, or extensive visible mold may call for specialists,
containment, or testing before work continues. Follow local regulations and your company's
written procedures.""",
            },
        ],
        "quiz": {
            "title": "Final quiz: Category and Class of Water Intrusion",
            "pass_percent": 70,
            "questions": [
                {
                    "type": "single",
                    "prompt": "A dishwasher discharge hose fails and floods a kitchen floor. "
                    "Which category is this water at the time of the loss?",
                    "points": 1,
                    "explanation": (
                        "Dishwasher and washing machine discharge are typical Category 2 "
                        "sources: significant contamination that could cause discomfort or "
                        "sickness."
                    ),
                    "choices": [
                        {
                            "text": "Category 1",
                            "correct": False,
                            "feedback": "Category 1 comes from a sanitary source such as a "
                            "supply line; discharge water is not sanitary.",
                        },
                        {
                            "text": "Category 2",
                            "correct": True,
                            "feedback": "Correct. Appliance discharge is a classic Category 2 "
                            "example.",
                        },
                        {
                            "text": "Category 3",
                            "correct": False,
                            "feedback": "Category 3 is grossly contaminated water such as "
                            "sewage. It could become Category 3 over time, but not at the "
                            "moment of the loss.",
                        },
                        {
                            "text": "Class 2",
                            "correct": False,
                            "feedback": "Class describes evaporation load, not contamination.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "What does the class of a water loss describe?",
                    "points": 1,
                    "explanation": (
                        "Class is the estimated evaporation load, based on how much water was "
                        "absorbed and how porous the wet materials are. Contamination is "
                        "described by category."
                    ),
                    "choices": [
                        {
                            "text": "The estimated evaporation load, based on absorbed water "
                            "and material porosity",
                            "correct": True,
                            "feedback": "Correct. Class guides equipment planning and drying time.",
                        },
                        {
                            "text": "How contaminated the water is",
                            "correct": False,
                            "feedback": "That is category, not class.",
                        },
                        {
                            "text": "How many hours have passed since the loss began",
                            "correct": False,
                            "feedback": "Time can change the category, but class is about "
                            "the evaporation load.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "Water held deep in hardwood, plaster, masonry, or concrete that "
                    "needs specialty drying is usually which class?",
                    "points": 1,
                    "explanation": (
                        "Class 4 covers deeply held or bound water in low-porosity or "
                        "low-permeance materials, which needs specialty drying methods."
                    ),
                    "choices": [
                        {
                            "text": "Class 1",
                            "correct": False,
                            "feedback": "Class 1 is the smallest evaporation load, with little "
                            "absorbed water.",
                        },
                        {
                            "text": "Class 3",
                            "correct": False,
                            "feedback": "Class 3 is a large wet porous area, often with water "
                            "from above, not deeply bound water.",
                        },
                        {
                            "text": "Class 4",
                            "correct": True,
                            "feedback": "Correct. Class 4 is the specialty drying class.",
                        },
                    ],
                },
                {
                    "type": "multiple",
                    "prompt": "Which of these are examples of Category 3 water?",
                    "points": 2,
                    "explanation": (
                        "Sewage, toilet backflow from beyond the trap, seawater, and rising "
                        "water from rivers or streams are Category 3. A broken supply line is "
                        "Category 1 and aquarium water is Category 2."
                    ),
                    "choices": [
                        {
                            "text": "A sewage backup in a basement floor drain",
                            "correct": True,
                            "feedback": "Correct. Sewage is grossly contaminated.",
                        },
                        {
                            "text": "Toilet backflow from beyond the trap",
                            "correct": True,
                            "feedback": "Correct. Water from beyond the trap is treated as "
                            "Category 3.",
                        },
                        {
                            "text": "Rising river water entering the building",
                            "correct": True,
                            "feedback": "Correct. Rising flood water from rivers or streams is "
                            "Category 3.",
                        },
                        {
                            "text": "A burst supply line under a bathroom sink",
                            "correct": False,
                            "feedback": "A supply line is a sanitary source: Category 1 at the "
                            "time of the loss.",
                        },
                        {
                            "text": "Water from a cracked aquarium",
                            "correct": False,
                            "feedback": "Aquarium water is a Category 2 example.",
                        },
                    ],
                },
                {
                    "type": "truefalse",
                    "prompt": "A Category 1 water loss can deteriorate to Category 2 or 3 if it "
                    "is left untreated.",
                    "points": 1,
                    "explanation": (
                        "True. Water picks up contaminants from the materials it passes through, "
                        "and microorganisms multiply with time and warmth."
                    ),
                    "answer": True,
                },
                {
                    "type": "matching",
                    "prompt": "Match each water source with its category.",
                    "points": 2,
                    "explanation": (
                        "A broken supply line starts as Category 1, a washing machine overflow "
                        "is Category 2, and sewage backflow is Category 3."
                    ),
                    "pairs": [
                        {"left": "Broken water supply line", "right": "Category 1"},
                        {"left": "Washing machine overflow", "right": "Category 2"},
                        {"left": "Sewage backflow from a toilet", "right": "Category 3"},
                    ],
                },
            ],
            # A timed quiz with three attempts; answers are shown once the learner passes.
            "settings": {
                "time_limit_minutes": 20,
                "max_attempts": 3,
                "cooldown_minutes": 10,
                "review_shows": "answers",
                "review_when": "after_pass",
            },
        },
    },
    # ------------------------------------------------------------------------------------------
    # Course 3: Moisture Mapping and Drying Documentation (CCT and WRT, 1 credit)
    # ------------------------------------------------------------------------------------------
    {
        "slug": "moisture-mapping-and-drying-documentation",
        #: The certifying body's approval: its number and how many days from today it lasts.
        "approval": ("IICRC-CEC-25-0988", 45),
        "title": "Moisture Mapping and Drying Documentation",
        "summary": (
            "Use moisture meters, thermo-hygrometers, and basic psychrometry to find wet "
            "materials, track drying, and document a job from first visit to final readings. "
            "Useful for carpet cleaners and restorers alike."
        ),
        "credits": "1",
        "certifications": ["CCT", "WRT"],
        "duration_minutes": 75,
        "modules": [
            {
                "title": "Moisture meters and thermal tools",
                "body": """\
You cannot manage what you do not measure. Moisture meters let you find the edges of a wet
area, compare materials with a dry reference, and prove when drying is finished.

There are two main kinds of moisture meter:

- **Penetrating (pin) meters** push two pins into the material and measure the electrical
  resistance between them. They read at the depth of the pins and are useful for confirming
  moisture in wood, drywall, and carpet cushion. Insulated pins read only at the tips, so
  surface moisture does not skew the result.
- **Non-penetrating (pinless) meters** use an electrical field to sense moisture below the
  surface without damaging it. They are fast for scanning walls and floors, but their readings
  are relative and can be influenced by density, metal, and hidden materials.

Many meters show a **wood moisture content scale** as a percentage, plus a **relative reference
scale** for other materials. Relative readings only mean something when compared with a reading
taken on the same material where it is known to be dry.

**Thermal imaging cameras** show surface temperature differences, not moisture. Evaporation
cools a wet surface, so wet areas often look cooler, but air leaks, missing insulation, and
cold pipes can look exactly the same. **Always confirm a thermal anomaly with a moisture meter**
before calling it wet.

A **thermo-hygrometer** measures air temperature and relative humidity. It is the tool you use
for the psychrometric readings covered in the next module.

Practical tips:

- Check meter batteries and the calibration reference at the start of every job
- Take readings at the same marked spots each day so the numbers can be compared
- On carpet jobs, check the cushion and subfloor, not just the face yarn""",
            },
            {
                "title": "Psychrometry basics for technicians",
                "body": """\
Psychrometry is the study of air and the water vapor it carries. Drying is controlled
evaporation, so a basic grasp of psychrometry underpins every drying plan, whether you are
drying a flooded basement or helping a freshly cleaned carpet dry before evening.

Key terms:

- **Relative humidity (RH)** is the amount of water vapor in the air compared with the most it
  could hold at that temperature, as a percentage. RH changes when temperature changes, even if
  no water is added or removed.
- **Specific humidity**, usually given in **grains per pound (GPP)**, is the actual weight of
  water vapor in a pound of dry air. There are 7,000 grains in a pound. Because GPP does not
  change with temperature alone, it is the best number for comparing air in different places.
- **Dew point** is the temperature at which water vapor starts to condense. Any surface colder
  than the dew point will collect condensation.
- **Vapor pressure** differences move moisture from areas of higher vapor pressure to lower.
  Warm, dry air next to a wet surface speeds evaporation.

Technicians find GPP and dew point from temperature and RH readings with a psychrometric chart,
a calculator, or an app.

The main drying tools are **airflow, dehumidification, and temperature control**. Air movers
sweep away the moist boundary layer at the surface, dehumidifiers lower the GPP of the room
air, and heat speeds evaporation.

Check a dehumidifier by comparing the GPP of the air going in with the air coming out. The
difference is called the **grain depression**; a larger drop means the unit is removing more
moisture.

Outdoor air can help or hurt. If the outdoor GPP is lower than indoors, ventilation can assist
drying; if it is higher, opening windows adds moisture to the structure.""",
            },
            {
                "title": "Moisture maps and daily drying logs",
                "body": """\
A **moisture map** is a simple floor plan sketch showing where materials are wet, where you took
readings, and where equipment is placed. Together with the daily drying log, it is the record
that proves the structure was returned to a dry condition. Guidance on documentation appears in
the industry standards published by the [IICRC](https://iicrc.org).

Build the map on the first visit:

- Sketch each affected room and mark doors, cabinets, and fixtures
- Probe outward until you find the **wet boundary**, then outline it on the sketch
- Number each reading location and mark the spot so you can return to it every day
- Show where each air mover and dehumidifier is placed

Establish a **dry standard** by measuring the same materials in an unaffected area of the
building. That reading becomes your **drying goal**: a material is dry when it reaches, or comes
very close to, the dry standard for that material.

Record psychrometric and moisture readings **at least daily** until every goal is met. A
typical psychrometric section of the log looks like this:

| Location | Temp (°F) | RH (%) | GPP |
|---|---|---|---|
| Outdoors | 68 | 55 | 56 |
| Unaffected room | 72 | 45 | 52 |
| Affected room | 78 | 50 | 71 |
| Dehumidifier outlet | 92 | 15 | 33 |

Here the affected room holds more moisture than the unaffected room, and the dehumidifier shows
a grain depression of 38 GPP (71 in, 33 out).

Each day, also log:

- The readings at every numbered location, compared with the dry standard
- Equipment added, moved, or removed, and the reason
- Any change in category or class, and any materials removed

Watch the trend. Readings should fall day by day; if they stall, adjust airflow, add
dehumidification, or look for a hidden source. Do not remove equipment until readings confirm
the drying goal has been met, and photograph the final readings.""",
            },
        ],
        "quiz": {
            "title": "Final quiz: Moisture Mapping and Drying Documentation",
            "pass_percent": 70,
            "questions": [
                {
                    "type": "single",
                    "prompt": "A thermal imaging camera shows a cool area on a wall. What "
                    "should you do next?",
                    "points": 1,
                    "explanation": (
                        "Thermal cameras show temperature differences, not moisture. Air leaks, "
                        "missing insulation, and cold pipes can look like wet areas, so confirm "
                        "with a moisture meter."
                    ),
                    "choices": [
                        {
                            "text": "Confirm the area with a moisture meter",
                            "correct": True,
                            "feedback": "Correct. A meter reading confirms whether the cool "
                            "area is actually wet.",
                        },
                        {
                            "text": "Record the area as wet on the moisture map",
                            "correct": False,
                            "feedback": "A cool area is not proof of moisture; it must be "
                            "confirmed first.",
                        },
                        {
                            "text": "Remove the drywall to look inside the cavity",
                            "correct": False,
                            "feedback": "Removal decisions should follow confirmed moisture "
                            "readings, not a thermal image alone.",
                        },
                        {
                            "text": "Ignore it, because thermal cameras cannot show wet materials",
                            "correct": False,
                            "feedback": "Evaporation often makes wet areas look cooler, so the "
                            "image is a useful clue worth checking.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "Which measurement is best for comparing the actual amount of "
                    "water vapor in air at different temperatures?",
                    "points": 1,
                    "explanation": (
                        "Grains per pound (GPP) is the actual weight of water vapor per pound of "
                        "dry air and does not change with temperature alone. RH does."
                    ),
                    "choices": [
                        {
                            "text": "Grains per pound (GPP)",
                            "correct": True,
                            "feedback": "Correct. GPP lets you compare air in different places.",
                        },
                        {
                            "text": "Relative humidity (RH)",
                            "correct": False,
                            "feedback": "RH changes with temperature even when no water is "
                            "added or removed.",
                        },
                        {
                            "text": "Air temperature",
                            "correct": False,
                            "feedback": "Temperature alone says nothing about how much water "
                            "vapor the air holds.",
                        },
                        {
                            "text": "Wood moisture content",
                            "correct": False,
                            "feedback": "Wood moisture content describes a material, not the air.",
                        },
                    ],
                },
                {
                    "type": "single",
                    "prompt": "How is the dry standard (drying goal) for a material established?",
                    "points": 1,
                    "explanation": (
                        "Measure the same material in an unaffected area of the building. That "
                        "reading becomes the drying goal for that material."
                    ),
                    "choices": [
                        {
                            "text": "By measuring the same material in an unaffected area of "
                            "the building",
                            "correct": True,
                            "feedback": "Correct. The dry standard comes from similar, "
                            "unaffected material.",
                        },
                        {
                            "text": "By using a reading of zero on any moisture meter",
                            "correct": False,
                            "feedback": "Normal dry materials rarely read zero; compare with "
                            "a dry reference instead.",
                        },
                        {
                            "text": "By using the outdoor relative humidity",
                            "correct": False,
                            "feedback": "Outdoor RH describes the air, not the normal moisture "
                            "level of a material.",
                        },
                    ],
                },
                {
                    "type": "multiple",
                    "prompt": "Which items belong in a daily drying log?",
                    "points": 2,
                    "explanation": (
                        "A daily log records readings at every numbered location, psychrometric "
                        "readings, and equipment changes with reasons, every day until the "
                        "drying goal is met."
                    ),
                    "choices": [
                        {
                            "text": "Readings at every numbered location, compared with the "
                            "dry standard",
                            "correct": True,
                            "feedback": "Correct. These show the drying trend for each material.",
                        },
                        {
                            "text": "Temperature, RH, and GPP outdoors, in unaffected areas, "
                            "and in affected areas",
                            "correct": True,
                            "feedback": "Correct. Psychrometric readings show whether the "
                            "drying conditions are working.",
                        },
                        {
                            "text": "Equipment added, moved, or removed, and the reason",
                            "correct": True,
                            "feedback": "Correct. Equipment changes must be documented and "
                            "justified.",
                        },
                        {
                            "text": "Readings from the first and last day only",
                            "correct": False,
                            "feedback": "Readings should be taken at least daily so the trend "
                            "can be followed.",
                        },
                    ],
                },
                {
                    "type": "truefalse",
                    "prompt": "Relative humidity alone tells you how much water vapor is in the "
                    "air, regardless of temperature.",
                    "points": 1,
                    "explanation": (
                        "False. RH is relative to what the air could hold at its current "
                        "temperature, so it changes when temperature changes. Use GPP to compare "
                        "actual moisture content."
                    ),
                    "answer": False,
                },
                {
                    "type": "short",
                    "prompt": "Specific humidity is usually given in GPP. What does GPP stand for?",
                    "points": 1,
                    "explanation": "Grains per pound: grains of water vapor per pound of dry air.",
                    "answers": [
                        {"text": "grains per pound"},
                        {"text": "grains per pound of dry air"},
                    ],
                },
                {
                    "type": "numeric",
                    "prompt": "How many grains are there in one pound?",
                    "points": 1,
                    "explanation": "There are 7,000 grains in a pound.",
                    "answers": [{"value": "7000", "tolerance": "0"}],
                },
                {
                    "type": "ordering",
                    "prompt": "Put these steps of documenting a drying job in order.",
                    "points": 1,
                    "explanation": (
                        "Set the dry standard from unaffected materials first, map the wet area, "
                        "record readings at least daily, and close the job when the materials "
                        "meet the dry standard."
                    ),
                    "items": [
                        "Measure a dry standard in an unaffected area",
                        "Map the wet area on a floor plan",
                        "Record readings at least daily",
                        "Confirm the materials meet the dry standard",
                    ],
                },
            ],
            # Two attempts; the grade is the better one; the review shows which were wrong.
            "settings": {
                "max_attempts": 2,
                "grading_method": "highest",
                "review_shows": "wrong",
                "review_when": "immediately",
            },
        },
    },
]
