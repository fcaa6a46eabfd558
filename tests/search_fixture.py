"""A catalogue that mirrors the expected real one, for the search quality tests.

The real catalogue is still being curated (issue 3), so the search quality set runs against
this fixture: the instruments issue 3 names (same ids, their real names, acronyms and treaty
numbers), the 193 UN members plus observers and other parties (UN short names, ISO names
from pycountry and the spelling variants depositaries use), a few groups, the UN cyber
resolutions and the crosswalk rows of the three norm concepts. Descriptions are short and
in our own words; nothing here is a sourced fact for the app.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

from tests.fixtures import make_catalogue
from tracker.catalogue import Catalogue

UN_MEMBERS = re.findall(
    r"[A-Z]{3}",
    """AFG AGO ALB AND ARE ARG ARM ATG AUS AUT AZE BDI BEL BEN BFA BGD BGR BHR BHS BIH BLR BLZ BOL
BRA BRB BRN BTN BWA CAF CAN CHE CHL CHN CIV CMR COD COG COL COM CPV CRI CUB CYP CZE DEU DJI DMA DNK DOM
DZA ECU EGY ERI ESP EST ETH FIN FJI FRA FSM GAB GBR GEO GHA GIN GMB GNB GNQ GRC GRD GTM GUY HND HRV HTI
HUN IDN IND IRL IRN IRQ ISL ISR ITA JAM JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE
LKA LSO LTU LUX LVA MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MOZ MRT MUS MWI MYS NAM NER NGA
NIC NLD NOR NPL NRU NZL OMN PAK PAN PER PHL PLW PNG POL PRK PRT PRY QAT ROU RUS RWA SAU SDN SEN SGP SLB
SLE SLV SMR SOM SRB SSD STP SUR SVK SVN SWE SWZ SYC SYR TCD TGO THA TJK TKM TLS TON TTO TUN TUR TUV TZA
UGA UKR URY USA UZB VCT VEN VNM VUT WSM YEM ZAF ZMB ZWE""",
)

# UN short names where they differ from pycountry's name
UN_NAMES = {
    "BOL": "Bolivia (Plurinational State of)",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia (Federated States of)",
    "GBR": "United Kingdom of Great Britain and Northern Ireland",
    "IRN": "Iran (Islamic Republic of)",
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "LAO": "Lao People's Democratic Republic",
    "MDA": "Republic of Moldova",
    "NLD": "Netherlands (Kingdom of the)",
    "RUS": "Russian Federation",
    "SYR": "Syrian Arab Republic",
    "TZA": "United Republic of Tanzania",
    "USA": "United States of America",
    "VEN": "Venezuela (Bolivarian Republic of)",
    "VNM": "Viet Nam",
    "CZE": "Czechia",
    "TUR": "Türkiye",
    "CIV": "Côte d'Ivoire",
    "CPV": "Cabo Verde",
    "SWZ": "Eswatini",
    "MKD": "North Macedonia",
    "BRN": "Brunei Darussalam",
    "TLS": "Timor-Leste",
}

OTHER_PARTIES = [
    {
        "code": "VAT",
        "name": "Holy See",
        "kind": "observer_state",
        "un_member": "false",
        "iso_alpha2": "VA",
        "iso_numeric": "336",
    },
    {
        "code": "PSE",
        "name": "State of Palestine",
        "kind": "observer_state",
        "un_member": "false",
        "iso_alpha2": "PS",
        "iso_numeric": "275",
    },
    {"code": "EUU", "name": "European Union", "kind": "organisation", "un_member": "false"},
    {
        "code": "TWN",
        "name": "Taiwan",
        "kind": "territory",
        "un_member": "false",
        "iso_alpha2": "TW",
        "iso_numeric": "158",
    },
    {"code": "XKX", "name": "Kosovo", "kind": "territory", "un_member": "false"},
    {"code": "SCG", "name": "Serbia and Montenegro", "kind": "former_state", "un_member": "false"},
]

ALIASES = {
    "CIV": ["Ivory Coast", "Republic of Côte d'Ivoire"],
    "KOR": ["South Korea", "ROK", "Korea (South)"],
    "PRK": ["North Korea", "DPRK", "Korea (North)"],
    "TUR": ["Turkey", "Turkiye"],
    "CZE": ["Czech Republic"],
    "NLD": ["Holland", "The Netherlands"],
    "SWZ": ["Swaziland"],
    "MMR": ["Burma"],
    "GBR": ["UK", "Great Britain", "Britain"],
    "USA": ["US", "America", "United States"],
    "RUS": ["Russia"],
    "IRN": ["Iran"],
    "SYR": ["Syria"],
    "LAO": ["Laos"],
    "VNM": ["Vietnam"],
    "BOL": ["Bolivia"],
    "VEN": ["Venezuela"],
    "TZA": ["Tanzania"],
    "MDA": ["Moldova"],
    "FSM": ["Micronesia"],
    "MKD": ["Macedonia", "Former Yugoslav Republic of Macedonia"],
    "CPV": ["Cape Verde"],
    "TLS": ["East Timor"],
    "BRN": ["Brunei"],
    "COD": ["DR Congo", "DRC", "Congo-Kinshasa"],
    "COG": ["Congo-Brazzaville", "Republic of the Congo"],
    "VAT": ["Vatican", "Vatican City"],
    "PSE": ["Palestine"],
    "TWN": ["Chinese Taipei"],
    "XKX": ["Republic of Kosovo"],
    "EUU": ["EU"],
    "CHN": ["PRC"],
    "ARE": ["UAE"],
    "SAU": ["KSA"],
    "DEU": ["Germany, Federal Republic of"],
}


def _party_rows() -> tuple[list[dict], list[dict]]:
    parties, aliases, taken = [], [], set()
    for code in UN_MEMBERS:
        c = pycountry.countries.get(alpha_3=code)
        name = UN_NAMES.get(code, getattr(c, "common_name", None) or c.name)
        parties.append(
            {
                "code": code,
                "name": name,
                "official_name": getattr(c, "official_name", ""),
                "iso_alpha2": c.alpha_2,
                "iso_numeric": c.numeric,
            }
        )
    parties += OTHER_PARTIES
    names = {p["name"].casefold() for p in parties}
    for p in parties:
        c = pycountry.countries.get(alpha_3=p["code"])
        variants = list(ALIASES.get(p["code"], []))
        if c is not None and p["code"] != "TWN":
            variants += [c.name, getattr(c, "common_name", "")]
        for v in variants:
            key = v.casefold()
            if v and key not in taken and key not in names and key != p.get("official_name", "").casefold():
                taken.add(key)
                aliases.append({"alias": v, "code": p["code"]})
    return parties, aliases


def _inst(
    id_,
    name,
    short,
    kind,
    pillar,
    *,
    body,
    clusters="security",
    stance="neutral",
    parent="",
    opened="",
    description="",
    aliases=(),
):
    return (
        {
            "id": id_,
            "name": name,
            "short_name": short,
            "kind": kind,
            "pillar": pillar,
            "value_clusters": clusters,
            "stance": stance,
            "body": body,
            "parent_id": parent,
            "opened": opened,
            "description": description or name,
        },
        [{"instrument_id": id_, "alias": a, "alias_kind": k} for k, a in aliases],
    )


GGE_NORMS = {
    "a": "Cooperate to increase stability and security in the use of ICTs",
    "b": "Consider all relevant information when attributing ICT incidents",
    "c": "Do not knowingly allow territory to be used for internationally wrongful acts using ICTs",
    "d": "Cooperate to exchange information and prosecute criminal and terrorist use of ICTs",
    "e": "Respect human rights and the right to privacy in the use of ICTs",
    "f": "Do not conduct or support ICT activity that intentionally damages critical infrastructure",
    "g": "Protect critical infrastructure from ICT threats",
    "h": "Respond to requests for assistance when critical infrastructure is attacked",
    "i": "Ensure the integrity of the ICT supply chain",
    "j": "Encourage responsible reporting of ICT vulnerabilities",
    "k": "Do not harm authorised emergency response teams (CERTs and CSIRTs)",
}


def _instruments() -> tuple[list[dict], list[dict]]:
    coe = "Council of Europe"
    specs = [
        _inst(
            "budapest-convention",
            "Convention on Cybercrime",
            "Budapest Convention",
            "treaty",
            "values",
            body=coe,
            clusters="security;accountability",
            stance="open",
            opened="2001-11-23",
            description="First international treaty on crimes committed via the internet and other "
            "computer networks, with procedural powers and international co-operation.",
            aliases=[
                ("treaty_number", "ETS 185"),
                ("treaty_number", "ETS No. 185"),
                ("nickname", "Budapest Convention"),
                ("short_name", "CoE Cybercrime Convention"),
            ],
        ),
        _inst(
            "budapest-protocol-1",
            "Additional Protocol to the Convention on Cybercrime, concerning the "
            "criminalisation of acts of a racist and xenophobic nature committed through computer systems",
            "First Additional Protocol to the Budapest Convention",
            "protocol",
            "values",
            body=coe,
            parent="budapest-convention",
            opened="2003-01-28",
            description="Criminalises racist and xenophobic propaganda spread through computer systems.",
            aliases=[("treaty_number", "ETS 189"), ("nickname", "Xenophobia Protocol")],
        ),
        _inst(
            "budapest-protocol-2",
            "Second Additional Protocol to the Convention on Cybercrime on enhanced "
            "co-operation and disclosure of electronic evidence",
            "Second Additional Protocol",
            "protocol",
            "values",
            body=coe,
            parent="budapest-convention",
            opened="2022-05-12",
            description="Direct co-operation with service providers and faster disclosure of e-evidence.",
            aliases=[("treaty_number", "CETS 224"), ("nickname", "e-evidence protocol")],
        ),
        _inst(
            "un-cybercrime-convention",
            "United Nations Convention against Cybercrime",
            "UN Cybercrime Convention",
            "treaty",
            "values",
            body="United Nations",
            stance="sovereign",
            opened="2025-10-25",
            description="Global treaty on criminal offences committed with ICT "
            "systems and on sharing electronic evidence for serious crimes.",
            aliases=[("nickname", "Hanoi Convention"), ("short_name", "UN Convention against Cybercrime")],
        ),
        _inst(
            "malabo-convention",
            "African Union Convention on Cyber Security and Personal Data Protection",
            "Malabo Convention",
            "treaty",
            "values",
            body="African Union",
            clusters="security;privacy",
            opened="2014-06-27",
            description="Continental framework for electronic transactions, "
            "personal data protection and cybercrime in Africa.",
            aliases=[("nickname", "AU Cyber Security Convention")],
        ),
        _inst(
            "convention-108",
            "Convention for the Protection of Individuals with regard to Automatic Processing of Personal Data",
            "Convention 108",
            "treaty",
            "values",
            body=coe,
            clusters="privacy",
            stance="open",
            opened="1981-01-28",
            description="The first binding international treaty on data protection.",
            aliases=[("treaty_number", "ETS 108"), ("treaty_number", "ETS No. 108")],
        ),
        _inst(
            "convention-108-plus",
            "Protocol amending the Convention for the Protection of Individuals "
            "with regard to Automatic Processing of Personal Data",
            "Convention 108+",
            "protocol",
            "values",
            body=coe,
            clusters="privacy;accountability",
            stance="open",
            parent="convention-108",
            opened="2018-10-10",
            description="Modernises Convention 108 for the digital age.",
            aliases=[
                ("treaty_number", "CETS 223"),
                ("acronym", "108+"),
                ("nickname", "Modernised Convention 108"),
            ],
        ),
        _inst(
            "dfi",
            "Declaration for the Future of the Internet",
            "DFI",
            "declaration",
            "values",
            body="Group of signatory governments",
            clusters="privacy;fairness;accountability",
            stance="open",
            opened="2022-04-28",
            description="Political commitment to an open, free, global, interoperable, reliable and secure internet.",
        ),
        _inst(
            "paris-call",
            "Paris Call for Trust and Security in Cyberspace",
            "Paris Call",
            "declaration",
            "norms",
            body="Government of France",
            stance="open",
            opened="2018-11-12",
            description="Multistakeholder call built on nine principles for a secure cyberspace.",
        ),
        _inst(
            "freedom-online-coalition",
            "Freedom Online Coalition",
            "FOC",
            "coalition",
            "values",
            body="Freedom Online Coalition",
            clusters="privacy;fairness",
            stance="open",
            opened="2011-12",
            description="Governments working together to advance internet freedom and human rights online.",
        ),
        _inst(
            "counter-ransomware-initiative",
            "International Counter Ransomware Initiative",
            "Counter Ransomware Initiative",
            "coalition",
            "norms",
            body="Government of the United States",
            opened="2021-10",
            description="Partnership to build resilience against ransomware and disrupt ransomware actors.",
            aliases=[("acronym", "CRI")],
        ),
        _inst(
            "pall-mall-code-of-practice",
            "Pall Mall Process Code of Practice for States",
            "Pall Mall Code of Practice",
            "code_of_practice",
            "norms",
            body="Governments of France and the United Kingdom",
            clusters="security;accountability",
            opened="2025-04-04",
            description="Good practice for states on the development, purchase and use of commercial "
            "cyber intrusion capabilities.",
            aliases=[("nickname", "Pall Mall Process")],
        ),
        _inst(
            "christchurch-call",
            "Christchurch Call to Eliminate Terrorist and Violent Extremist Content Online",
            "Christchurch Call",
            "declaration",
            "values",
            body="Governments of New Zealand and France",
            clusters="security;accountability",
            opened="2019-05-15",
            description="Commitments by governments and online service providers against violent extremist content.",
        ),
        _inst(
            "wassenaar-arrangement",
            "Wassenaar Arrangement on Export Controls for Conventional Arms and Dual-Use Goods and Technologies",
            "Wassenaar Arrangement",
            "export_control_regime",
            "standards",
            body="Wassenaar Arrangement Secretariat",
            opened="1996-07-12",
            description="Export-control regime for conventional arms and dual-use goods, including intrusion software.",
            aliases=[("acronym", "WA"), ("nickname", "Wassenaar")],
        ),
        _inst(
            "ccra",
            "Arrangement on the Recognition of Common Criteria Certificates in the field of "
            "Information Technology Security",
            "CCRA",
            "arrangement",
            "standards",
            body="Common Criteria Development Board",
            opened="2014-07-02",
            description="Mutual recognition of Common Criteria security evaluations of IT products.",
            aliases=[
                ("short_name", "Common Criteria Recognition Arrangement"),
                ("nickname", "Common Criteria"),
            ],
        ),
        _inst(
            "coe-ai-convention",
            "Council of Europe Framework Convention on Artificial Intelligence and "
            "Human Rights, Democracy and the Rule of Law",
            "Framework Convention on Artificial Intelligence",
            "treaty",
            "values",
            body=coe,
            clusters="fairness;accountability;privacy",
            stance="open",
            opened="2024-09-05",
            description="Binding treaty so that AI systems respect human rights, democracy and the rule of law.",
            aliases=[("treaty_number", "CETS 225"), ("nickname", "AI Convention")],
        ),
        _inst(
            "oecd-ai-principles",
            "Recommendation of the Council on Artificial Intelligence",
            "OECD AI Principles",
            "principles",
            "values",
            body="OECD",
            clusters="fairness;accountability",
            stance="open",
            opened="2019-05-22",
            description="Principles for trustworthy AI.",
            aliases=[("symbol", "OECD/LEGAL/0449")],
        ),
        _inst(
            "global-cbpr-forum",
            "Global Cross-Border Privacy Rules Forum",
            "Global CBPR Forum",
            "coalition",
            "standards",
            body="Global CBPR Forum",
            clusters="privacy",
            opened="2022-04-21",
            description="Certification system for cross-border transfers of personal data.",
            aliases=[("acronym", "CBPR"), ("short_name", "Global CBPR")],
        ),
        _inst(
            "arab-cybercrime-convention",
            "Arab Convention on Combating Information Technology Offences",
            "Arab Cybercrime Convention",
            "treaty",
            "values",
            body="League of Arab States",
            stance="sovereign",
            opened="2010-12-21",
            description="Regional treaty of the League of Arab States on information technology offences.",
        ),
        _inst(
            "sco-information-security-agreement",
            "Agreement among the Governments of the Shanghai "
            "Cooperation Organisation Member States on Cooperation in the Field of Ensuring International "
            "Information Security",
            "SCO Information Security Agreement",
            "treaty",
            "values",
            body="Shanghai Cooperation Organisation",
            stance="sovereign",
            opened="2009-06-16",
            description="Co-operation against threats to international information security as the "
            "member states define them.",
            aliases=[("nickname", "Yekaterinburg Agreement")],
        ),
        _inst(
            "iso-iec-27001",
            "ISO/IEC 27001:2022 Information security management systems - Requirements",
            "ISO/IEC 27001",
            "standard",
            "standards",
            body="ISO/IEC JTC 1/SC 27",
            clusters="security;accountability",
            opened="2022-10",
            description="Requirements for an information security management system.",
            aliases=[("short_name", "ISO 27001"), ("acronym", "ISMS standard")],
        ),
        _inst(
            "iso-iec-27002",
            "ISO/IEC 27002:2022 Information security controls",
            "ISO/IEC 27002",
            "standard",
            "standards",
            body="ISO/IEC JTC 1/SC 27",
            opened="2022-02",
            description="Reference set of information security controls with guidance.",
            aliases=[("short_name", "ISO 27002")],
        ),
        _inst(
            "iso-iec-jtc1-sc27",
            "ISO/IEC JTC 1/SC 27 Information security, cybersecurity and privacy protection",
            "ISO/IEC JTC 1/SC 27",
            "standards_body",
            "standards",
            body="ISO/IEC JTC 1",
            opened="1990",
            description="The committee that writes the ISO/IEC 27000 family.",
            aliases=[("short_name", "SC 27"), ("short_name", "JTC 1/SC 27")],
        ),
        _inst(
            "nist-sp-800-53",
            "Security and Privacy Controls for Information Systems and Organizations",
            "NIST SP 800-53",
            "standard",
            "standards",
            body="NIST",
            clusters="security;privacy",
            opened="2020-09",
            description="Catalogue of security and privacy controls.",
            aliases=[("treaty_number", "SP 800-53")],
        ),
        _inst(
            "etsi-en-303-645",
            "Cyber Security for Consumer Internet of Things: Baseline Requirements",
            "ETSI EN 303 645",
            "standard",
            "standards",
            body="ETSI",
            opened="2020-06",
            description="Baseline security provisions for consumer IoT devices.",
            aliases=[("treaty_number", "EN 303 645")],
        ),
        _inst(
            "un-gge-2015-report",
            "Report of the Group of Governmental Experts on Developments in the Field of "
            "Information and Telecommunications in the Context of International Security (2015)",
            "2015 GGE report",
            "declaration",
            "norms",
            body="United Nations",
            opened="2015-07-22",
            description="Consensus report recommending eleven voluntary norms of responsible state behaviour.",
            aliases=[("symbol", "A/70/174")],
        ),
        _inst(
            "two-person-rule",
            "Two-person rule",
            "Two-person rule",
            "norm",
            "norms",
            body="Security practice",
            clusters="security;accountability",
            description="No single person can complete a critical "
            "action alone; a second authorised person must take part.",
            aliases=[
                ("synonym", "separation of duties"),
                ("synonym", "segregation of duties"),
                ("synonym", "four-eyes principle"),
                ("synonym", "dual control"),
                ("synonym", "two-man rule"),
                ("synonym", "two-person integrity"),
            ],
        ),
        _inst(
            "due-process",
            "Due process in criminal investigations",
            "Due process",
            "norm",
            "norms",
            body="Human rights law",
            clusters="fairness;accountability",
            description="Powers to investigate are subject to conditions and safeguards: legal basis, "
            "judicial oversight, proportionality.",
            aliases=[
                ("synonym", "procedural safeguards"),
                ("synonym", "conditions and safeguards"),
                ("synonym", "rule of law in investigations"),
            ],
        ),
        _inst(
            "human-rights-online",
            "Protection of human rights online",
            "Human rights online",
            "norm",
            "norms",
            body="Human rights law",
            clusters="privacy;fairness",
            stance="open",
            description="The same rights people have offline must also be protected online.",
            aliases=[
                ("synonym", "same rights online as offline"),
                ("synonym", "internet freedom"),
                ("synonym", "digital rights"),
            ],
        ),
    ]
    for letter, title in GGE_NORMS.items():
        specs.append(
            _inst(
                f"gge-norm-13{letter}",
                title,
                f"GGE norm 13({letter})",
                "norm",
                "norms",
                body="United Nations",
                parent="un-gge-2015-report",
                opened="2015-07-22",
                aliases=[("short_name", f"norm 13({letter})"), ("short_name", f"norm 13{letter}")],
            )
        )
    instruments = [s[0] for s in specs]
    aliases = [a for s in specs for a in s[1]]
    return instruments, aliases


GROUPS = [
    ("eu", "European Union", "EU"),
    ("nato", "North Atlantic Treaty Organization", "NATO"),
    ("au", "African Union", "AU"),
    ("asean", "Association of Southeast Asian Nations", "ASEAN"),
    ("sco", "Shanghai Cooperation Organisation", "SCO"),
    ("brics", "BRICS", "BRICS"),
    ("g7", "Group of Seven", "G7"),
    ("g20", "Group of Twenty", "G20"),
    ("oecd", "Organisation for Economic Co-operation and Development", "OECD"),
    ("five-eyes", "Five Eyes", "FVEY"),
    ("coe", "Council of Europe", "CoE"),
    ("nam", "Non-Aligned Movement", "NAM"),
    ("g77", "Group of 77 and China", "G77"),
    ("quad", "Quadrilateral Security Dialogue", "Quad"),
    ("gcc", "Gulf Cooperation Council", "GCC"),
]

DEV = "Developments in the field of information and telecommunications in the context of international security"
ADV = "Advancing responsible State behaviour in cyberspace in the context of international security"
CRIM = "Countering the use of information and communications technologies for criminal purposes"
POA = (
    "Programme of action to advance responsible State behaviour in the use of information and "
    "communications technologies in the context of international security"
)
RESOLUTIONS = [
    ("A/RES/70/237", "2015-12-23", DEV, "cyber_security", "oewg", None),
    ("A/RES/73/27", "2018-12-05", DEV, "cyber_security", "oewg", (119, 46, 14)),
    ("A/RES/73/187", "2018-12-17", CRIM, "cybercrime", "cybercrime", (94, 59, 33)),
    ("A/RES/73/266", "2018-12-22", ADV, "cyber_security", "gge-poa", (138, 12, 16)),
    ("A/RES/74/28", "2019-12-12", ADV, "cyber_security", "gge-poa", (163, 10, 6)),
    ("A/RES/74/29", "2019-12-12", DEV, "cyber_security", "oewg", (129, 6, 45)),
    ("A/RES/74/247", "2019-12-27", CRIM, "cybercrime", "cybercrime", (79, 60, 33)),
    ("A/RES/75/32", "2020-12-07", ADV, "cyber_security", "gge-poa", (163, 10, 7)),
    ("A/RES/75/240", "2020-12-31", DEV, "cyber_security", "oewg", (92, 50, 21)),
    ("A/RES/77/36", "2022-12-07", DEV, "cyber_security", "oewg", (112, 52, 8)),
    ("A/RES/77/37", "2022-12-07", POA, "cyber_security", "gge-poa", (156, 7, 14)),
    ("A/RES/78/16", "2023-12-04", POA, "cyber_security", "gge-poa", (161, 9, 11)),
    ("A/RES/78/237", "2023-12-22", DEV, "cyber_security", "oewg", (104, 53, 7)),
    (
        "A/RES/79/243",
        "2024-12-24",
        "United Nations Convention against Cybercrime",
        "cybercrime",
        "cybercrime",
        None,
    ),
    (
        "A/RES/64/282 rc5045",
        "2010-06-24",
        "UN Interim Force in Lebanon, financing",
        "general",
        "",
        (130, 2, 1),
    ),
]

CROSSWALK = [
    ("two-person-rule", "iso-iec-27001", "A.5.3", "Segregation of duties", "equivalent-to", "high"),
    ("two-person-rule", "iso-iec-27002", "5.3", "Segregation of duties", "equivalent-to", "high"),
    ("two-person-rule", "nist-sp-800-53", "AC-5", "Separation of Duties", "equivalent-to", "high"),
    ("two-person-rule", "iso-iec-27001", "A.8.2", "Privileged access rights", "intersects-with", "low"),
    ("due-process", "budapest-convention", "Art. 15", "Conditions and safeguards", "equivalent-to", "high"),
    (
        "due-process",
        "un-cybercrime-convention",
        "Art. 24",
        "Conditions and safeguards",
        "equivalent-to",
        "high",
    ),
    (
        "human-rights-online",
        "dfi",
        "Principle 1",
        "Protection of human rights and fundamental freedoms",
        "intersects-with",
        "medium",
    ),
    (
        "human-rights-online",
        "freedom-online-coalition",
        "Founding Declaration",
        "Freedom of expression, association and privacy online",
        "intersects-with",
        "medium",
    ),
    (
        "human-rights-online",
        "un-gge-2015-report",
        "13(e)",
        "Respect for human rights and privacy",
        "equivalent-to",
        "high",
    ),
]

ADOPTIONS = [  # a few, for the adopted_by filter tests
    ("budapest-convention", "USA", "ratified", "2006-09-29"),
    ("budapest-convention", "FRA", "ratified", "2006-01-10"),
    ("convention-108", "FRA", "ratified", "1983-03-24"),
    ("paris-call", "FRA", "endorsed", "2018-11-12"),
    ("iso-iec-27001", "FRA", "adopted_national_standard", "2023"),
    ("dfi", "USA", "endorsed", "2022-04-28"),
    ("un-cybercrime-convention", "RUS", "signed", "2025-10-25"),
]


@cache
def search_catalogue() -> Catalogue:
    parties, party_aliases = _party_rows()
    instruments, instrument_aliases = _instruments()
    resolutions = []
    for id_, date, title, topic, series, tally in RESOLUTIONS:
        row = {
            "id": id_,
            "symbol": id_.split(" ")[0],
            "date": date,
            "title": title,
            "topic": topic,
            "series": series,
            "recorded_vote": "true" if tally else "false",
        }
        if tally:
            row.update(yes=tally[0], no=tally[1], abstain=tally[2], vote_kind="whole")
        if id_ == "A/RES/79/243":
            row["instrument_id"] = "un-cybercrime-convention"
        resolutions.append(row)
    return make_catalogue(
        parties=parties,
        party_aliases=party_aliases,
        instruments=instruments,
        instrument_aliases=instrument_aliases,
        groups=[{"id": g, "name": n, "short_name": s} for g, n, s in GROUPS],
        resolutions=resolutions,
        crosswalk=[
            {
                "norm_id": n,
                "instrument_id": i,
                "clause": c,
                "clause_title": t,
                "relationship": r,
                "confidence": conf,
            }
            for n, i, c, t, r, conf in CROSSWALK
        ],
        adoptions=[{"instrument_id": i, "party_code": p, "action": a, "date": d} for i, p, a, d in ADOPTIONS],
    )
