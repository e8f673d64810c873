"""The rubric engine on hand-built facts: scoring, evidence, red flags, what is never a flag."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from rubrics import (
    FIT_COVERAGE_SHARE,
    FIT_DIMENSIONS_SHARE,
    CVFacts,
    DegreeFact,
    HiddenFact,
    JobFact,
    RoleFacts,
    RubricEngine,
    RuleSet,
    SectionSpan,
    SkillFact,
    combine_fit,
    load_rules,
)
from rubrics._engine import Citation, quote_bounds

RULES = load_rules()
ENGINE = RubricEngine(RULES)
WEIGHTS = {"mathematical_foundation": 0.3, "engineering_maturity": 0.4, "domain_application": 0.3}
REFERENCE = date(2026, 1, 1)


def _facts(text: str, **kwargs: object) -> CVFacts:
    """Facts of a text whose section headings are lines equal to a section kind."""
    sections, offset = [], 0
    for line in text.split("\n"):
        if line.strip().lower() in {"summary", "experience", "education", "skills", "projects"}:
            sections.append(SectionSpan(line.strip().lower(), offset, len(text)))
        offset += len(line) + 1
    sections = [
        dataclasses.replace(s, end=nxt.start)
        for s, nxt in zip(sections, sections[1:], strict=False)
    ] + sections[-1:]
    pages = ((0, 1), (text.find("\f") + 1, 2)) if "\f" in text else ((0, 1),)
    return CVFacts(text, tuple(sections), pages, reference_date=REFERENCE, **kwargs)  # type: ignore[arg-type]


def _role(coverage: float = 50.0, skills: tuple[SkillFact, ...] = ()) -> RoleFacts:
    return RoleFacts("ml-engineer", WEIGHTS, coverage, skills)


def _rule(assessment, code: str):  # type: ignore[no-untyped-def]
    for dimension in assessment.dimensions.values():
        for rule in dimension.rules:
            if rule.code == code:
                return rule
    return None


def _flags(assessment) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in assessment.red_flags}


def test_phrase_rule_gives_partial_then_full_points_with_quoted_evidence() -> None:
    one = ENGINE.assess(_facts("Experience\nKept all code in git.\n"), _role())
    rule = _rule(one, "version-control")
    assert rule is not None and rule.points == 7.5  # 1 of the 2 distinct phrases full_at asks for
    [citation] = rule.evidence
    assert citation == Citation("Kept all code in git.", 11, 32, "experience", 1)

    text = "Experience\nSummary line\fExperience\nOpened pull requests on GitHub for code review.\n"
    full = ENGINE.assess(_facts(text), _role())
    rule = _rule(full, "version-control")
    assert rule is not None and rule.points == 15
    assert rule.evidence[0].page == 2
    assert rule.evidence[0].text == "Opened pull requests on GitHub for code review."
    assert rule.fact == "found: pull requests, GitHub, code review"  # as the rule writes them


def test_section_limited_rule_ignores_a_skills_list() -> None:
    listed = ENGINE.assess(_facts("Skills\nBayesian inference, convex optimization\n"), _role())
    assert _rule(listed, "theory-heavy-work") is None
    used = ENGINE.assess(
        _facts("Experience\nDerived a Bayesian inference scheme with convex optimization.\n"),
        _role(),
    )
    assert _rule(used, "theory-heavy-work").points == 15


def test_a_proof_of_concept_is_no_theory_heavy_work() -> None:
    prototype = ENGINE.assess(
        _facts(
            "Experience\nExecuted proof of concept implementations for the machine learning "
            "portal.\n"
        ),
        _role(),
    )
    assert _rule(prototype, "theory-heavy-work") is None
    proof = ENGINE.assess(
        _facts("Experience\nWrote the convergence proof of the sampler.\n"), _role()
    )
    assert _rule(proof, "theory-heavy-work").fact == "found: convergence proof"


def test_a_degree_in_architecture_is_no_system_design() -> None:
    degree = ENGINE.assess(_facts("Education\nAssociate Degree: Architecture, 2009\n"), _role())
    assert _rule(degree, "ml-system-design") is None
    work = ENGINE.assess(_facts("Experience\nDesigned the architecture of ETL jobs.\n"), _role())
    assert _rule(work, "ml-system-design").fact == "found: designed the architecture, ETL"


def test_production_and_evaluation_phrases_count_only_beside_ml_work() -> None:
    software = ENGINE.assess(
        _facts(
            "Experience\nDeployed the WCF web services and launched the end-to-end reports.\n"
            "Checked the accuracy of invoices against the benchmark.\n"
        ),
        _role(),
    )
    assert _rule(software, "prototype-to-production") is None
    assert _rule(software, "model-selection") is None
    models = ENGINE.assess(
        _facts(
            "Experience\nDeployed the churn model and launched the end-to-end scoring service.\n"
            "Raised the classifier's accuracy over the benchmark.\n"
        ),
        _role(),
    )
    production = _rule(models, "prototype-to-production")
    assert production is not None and production.points == 15
    assert production.fact == "found: deployed, launched, end-to-end"
    assert _rule(models, "model-selection").points == 8


# Lines of real Kaggle resumes (cooks, clerks, engineers of plants and sites, sales staff) whose
# ordinary words had scored as engineering practice or mathematics, each beside a line where the
# same word is the technical thing.
_ORDINARY_AND_TECHNICAL = [
    (
        "monitoring",
        "Monitoring progress throughout the job & comparing it with the schedule of work.",
        "Set up monitoring and alerting for the Kubernetes services.",
    ),
    (
        "clean-code",
        "Ensuring correctness of billings and supporting documentation.",
        "Wrote the API documentation for the Python package.",
    ),
    (
        "production-services",
        "Participated in production meetings and brain storming sessions.",
        "Took the Django REST API to production on AWS.",
    ),
    (
        # a factory's or a studio's production beside the software it uses
        "production-services",
        "APPAREL PRODUCTION MANAGER. Production room and shipping, experience in Excel and Corel "
        "software.",
        "Production support of the Java web services, released to production every week.",
    ),
    (
        # the American Petroleum Institute's codes, the American Welding Society's, Adobe's
        # Creative Cloud, a university
        "production-services",
        "Knowledge of various codes/standards (API, ASTM, AISC, DOT CFR 192 & 195, PSM)",
        "Built the Python REST services behind a public API on AWS.",
    ),
    (
        "production-services",
        "Drawing standards compliant with ANSI/ASME, ANSI/AWS, as well as ITAR",
        "Performed API testing.",
    ),
    (
        "production-services",
        "Experience and evolving knowledge in Photoshop and InDesign such as Adobe Creative Cloud",
        "Moved the Java services to the cloud.",
    ),
    (
        "production-services",
        "Trained supervisors in SPC through St Cloud State.",
        "Ran the PHP shop on Azure.",
    ),
    (
        "containers-orchestration",
        "Gathered waste and trash from job sites for placement in refuse containers.",
        "Ran the Java microservices in containers.",
    ),
    (
        "ci-cd",
        "Recorded focus group meetings onto DVD/CD disks. CI/Lean Basic Training.",
        "Set up CI and CD for the Python services on GitLab.",
    ),
    (
        "ml-system-design",
        "Ordered and distributed office supplies; built a robust sales pipeline.",
        "Built the data pipeline in Airflow on a distributed Hadoop cluster.",
    ),
    (
        "open-source",
        "Contributed to increases in sales for the personal training department.",
        "Contributed to the scikit-learn source code on GitHub.",
    ),
    (
        # a team's word beside an accountant's software list is no open-source work
        "open-source",
        "Strong contributor to the achievement of quality objectives. SAP, Oracle, SQL, software.",
        "Maintainer of a Python package on PyPI.",
    ),
    (
        "testing",
        "Even new resources of an agency that preps with mocking interviewed, resume prep.",
        "Mocking the payment API in the JUnit suite.",
    ),
    (
        "ml-system-design",
        "Balancing cash drawer & end of day batch processing. Personal Assistant to salon owner.",
        "Batch processing of the Java services' logs on Hadoop.",
    ),
    (
        # continuous improvement and compact discs beside software words
        "ci-cd",
        "CI/Lean Basic Training-White Belt Certificate. Active Directory, Cables, CD, SQL, SAP.",
        "Set up CI for the Java services on every build.",
    ),
    (
        "mathematical-methods",
        "Reviewed weekly sales numbers and club statistics. Optimization of hive queries.",
        "Statistics and probability for churn regression; convex optimization.",
    ),
    (
        "research-experience",
        "Conducts market research, profiling the customer base.",
        "Did research on graph algorithms at the university.",
    ),
    (
        "research-experience",
        "Conducted market research projects among Pros and DIY consumers to establish branding.",
        "Completed a summer capstone and research project in the lab.",
    ),
    (
        "research-experience",
        "I currently work as a technical and research project manager at PMA Media Group.",
        "Original research project for psychology course.",
    ),
    (
        "research-experience",
        "Supported portfolio manager's investment thesis by analyzing REIT preferred stock.",
        "Undergraduate thesis study on species diversity.",
    ),
    (
        # a bank's, a shop's and an insurer's proofs, and every trade's "derived" and "proved"
        "theory-heavy-work",
        "Proof Operator. Checked identification for proof-of-age; missing proof of insurance.",
        "Wrote a formal proof of the scheduler's correctness.",
    ),
    (
        "theory-heavy-work",
        "Client Relationship building/management derived through experience. This proved to be "
        "very successful.",
        "Derived the closed-form update of the logistic regression weights.",
    ),
    (
        "theory-heavy-work",
        "Tested theoretical and practical knowledge of aviation safety and ramp safety.",
        "Theoretical analysis of stochastic approximation schemes.",
    ),
    (
        "clean-code",
        "Prepare supporting documentation and post journal entries to computerized accounting "
        "Software.",
        "Wrote docstrings for the Python package.",
    ),
    (
        # a radiographer's certificate and a charity, then the frameworks
        "ml-system-design",
        "X-Ray Certified. Volunteered at Moveable Feast and United Way.",
        "Scaled the hyperparameter search with Ray on a GPU cluster.",
    ),
    (
        "ml-system-design",
        "Compiled and distributed monthly reports. Pneumatic system design/repair and leak "
        "detection.",
        "Ran distributed training of the PyTorch models.",
    ),
    (
        # the American Petroleum Institute's pipeline codes, a sales pipeline in Salesforce
        "ml-system-design",
        "Pipeline analysis codes: API RP 2A, API RP 1111. Daily pipeline updates in Salesforce, "
        "SQL.",
        "Built the feature pipeline for the machine learning models.",
    ),
    (
        "kaggle-standing",
        "Graduated in the top 10% of my class. Silver medal for customer satisfaction.",
        "Finished in the top 3% of the leaderboard.",
    ),
    (
        "peer-reviewed-venues",
        "Handled all legal proceedings. Photos published in Surreal Beauty Magazine.",
        "Paper published in the Journal of Machine Learning Research.",
    ),
]


# Domain words that are ML work only beside ML ("retrained" staff, "accuracy" of prices, menu
# "sampling", training programmes "rolled out"), each beside a line of ML work.
_ML_WORDS_OF_OTHER_WORK = [
    (
        "monitoring-and-drift",
        "Trained and retrained kitchen staff on all menu items.",
        "Retrained the churn model monthly.",
    ),
    (
        "model-selection",
        "Maintained price accuracy of goods; ran staff training.",
        "Compared models by accuracy and recall on a validation set.",
    ),
    (
        "data-preprocessing",
        "Menu sampling and invoice sampling; database normalization.",
        "Sampling and normalization of the training data.",
    ),
    (
        "prototype-to-production",
        "Rolled out the new standards and launched the training programme for staff.",
        "Rolled out the fraud detection model.",
    ),
]


@pytest.mark.parametrize(
    ("code", "ordinary", "technical"), _ORDINARY_AND_TECHNICAL + _ML_WORDS_OF_OTHER_WORK
)
def test_ordinary_words_are_no_technical_evidence(code: str, ordinary: str, technical: str) -> None:
    assert _rule(ENGINE.assess(_facts(f"Experience\n{ordinary}\n"), _role()), code) is None
    assert _rule(ENGINE.assess(_facts(f"Experience\n{technical}\n"), _role()), code) is not None


def test_one_mention_is_one_phrase_whether_an_alias_or_a_pattern_finds_it() -> None:
    # "research" beside "machine learning" is research, and so is "research project": the one
    # mention counts once (half the research rule's points), as two aliases over it would
    one = ENGINE.assess(_facts("Experience\nA research project on machine learning.\n"), _role())
    assert _rule(one, "research-experience").fact == "found: research project"
    two = "Experience\nA research project on machine learning. Master thesis on GANs.\n"
    assert _rule(ENGINE.assess(_facts(two), _role()), "research-experience").fact == (
        "found: research project, thesis"
    )


def test_a_medal_outside_a_competition_is_no_kaggle_signal() -> None:
    for other in (
        "Awarded Bank of America Silver medal for customer satisfaction.",
        "2014 silver medal winner in the NOWFE competition menu development.",  # a chef's
    ):
        assessment = ENGINE.assess(_facts(f"Experience\n{other}\n"), _role())
        assert [s.code for s in assessment.sourcing_signals] == [], other
        assert _rule(assessment, "kaggle-standing") is None, other
    kaggle = "Experience\nWon a silver medal in a data science competition.\n"
    assessment = ENGINE.assess(_facts(kaggle), _role())
    assert [s.code for s in assessment.sourcing_signals] == ["kaggle-competitor"]


@pytest.mark.parametrize(
    "line",
    [
        "Maintained daily progress records, surgery logs, x-ray logs and DEA logs.",
        "Maintained transformers, switchgear and relay panels at the substation.",
        "Maintained client datasets and monthly reports.",
        "MSR (monthly services report) reporting, paper inventory, vendor contracts.",
        "Worked with Mila on the FAIR housing campaign.",
    ],
)
def test_ordinary_lines_are_no_open_source_or_lab_signal(line: str) -> None:
    assessment = ENGINE.assess(_facts(f"Experience\n{line}\n"), _role())
    assert [s.code for s in assessment.sourcing_signals] == []


def test_named_projects_and_labs_are_signals() -> None:
    text = (
        "Experience\nMaintainer of the transformers library; contributed to Ray and pandas.\n"
        "Research intern at MSR, then research scientist at Mila in Montreal.\n"
    )
    codes = [s.code for s in ENGINE.assess(_facts(text), _role()).sourcing_signals]
    assert codes == ["open-source-contributor", "research-lab-alumni"]


def test_near_phrases_must_lie_within_reach_of_a_hit() -> None:
    from rubrics._aliases import NEAR_CHARS
    from rubrics._engine import _Evaluator
    from rubrics._rules import PhrasesCondition

    condition = PhrasesCondition.model_validate(
        {"kind": "phrases", "phrases": ["deployed"], "near": ["model"]}
    )

    def outcome(text: str):  # type: ignore[no-untyped-def]
        return _Evaluator(_facts(f"Experience\n{text}\n"), _role())(condition)

    assert outcome("Deployed a model.") is not None
    assert outcome("A model, then deployed.") is not None  # before the hit counts too
    assert outcome("Deployed the service." + " " * NEAR_CHARS + "A model elsewhere.") is None
    assert outcome("Deployed the service.") is None
    with pytest.raises(ValueError, match="near applies to phrases"):
        PhrasesCondition.model_validate(
            {"kind": "phrases", "patterns": ["deploy\\w*"], "near": ["model"]}
        )


def test_dimensions_are_capped_and_fit_follows_the_documented_formula() -> None:
    assessment = ENGINE.assess(_facts("Experience\nnothing relevant\n"), _role(coverage=80))
    dims = {name: d.score for name, d in assessment.dimensions.items()}
    weighted = sum(WEIGHTS[n] * s for n, s in dims.items())
    expected = FIT_COVERAGE_SHARE * 80 + FIT_DIMENSIONS_SHARE * weighted * 80 / 100
    assert assessment.fit == round(expected, 2)
    assert combine_fit({"a": 100.0}, {"a": 1.0}, 100.0) == 100.0
    # without the role's skills, dimension strength alone does not make a fit
    assert combine_fit({"a": 100.0}, {"a": 1.0}, 0.0) == 0.0
    assert all(0 <= score <= 100 for score in dims.values())


def test_degree_rules_need_level_and_quantitative_field() -> None:
    text = "Education\nM.Sc. Physics, Middle East Technical University, Ankara\n"
    physics = DegreeFact("master", "M.Sc. Physics", "Physics", 10, len(text))
    history = DegreeFact("master", "M.A. History", "History", 10, len(text))
    scored = ENGINE.assess(_facts(text, degrees=(physics,)), _role())
    assert _rule(scored, "quantitative-degree").points == 15
    assert _rule(scored, "advanced-quantitative-degree").points == 10
    assert _rule(scored, "doctorate") is None
    assert _rule(scored, "quantitative-degree").evidence[0].text.startswith("M.Sc. Physics")
    other = ENGINE.assess(_facts(text, degrees=(history,)), _role())
    assert _rule(other, "quantitative-degree") is None
    # Master of Computer Applications names its field in the degree (common in India)
    mca = DegreeFact("master", "MCA", None, 10, len(text))
    scored = ENGINE.assess(_facts(text, degrees=(mca,)), _role())
    assert _rule(scored, "advanced-quantitative-degree").points == 10


@pytest.mark.parametrize(
    ("degree", "field", "quantitative"),
    [
        # engineering of any branch, also when the CV names no branch
        ("B.Tech.", None, True),
        ("B.E.", None, True),
        ("B.E CSE", "CSE", True),
        ("Bachelor of EXTC", "EXTC", True),
        ("B.Sc. Civil Engineering", "Civil Engineering", True),
        ("B.Eng. Maschinenbau", "Maschinenbau", True),
        ("Dipl.-Ing. Verfahrenstechnik", "Verfahrenstechnik", True),
        ("Makine Mühendisliği Lisans", "Makine Mühendisliği", True),
        # no engineering and no quantitative field
        ("Master of Engineering Management", "Engineering Management", False),
        ("B.Ed. English", "English", False),
        ("B.A. History", "History", False),
    ],
)
def test_an_engineering_degree_counts_as_quantitative(
    degree: str, field: str | None, quantitative: bool
) -> None:
    text = f"Education\n{degree}, Gazi University, Ankara\n"
    fact = DegreeFact("bachelor", degree, field, 10, len(text))
    scored = ENGINE.assess(_facts(text, degrees=(fact,)), _role())
    assert (_rule(scored, "quantitative-degree") is not None) is quantitative


def _job(title: str, start: date, end: date | None, at: int = 11, **kw: object) -> JobFact:
    months = ((end or REFERENCE).year - start.year) * 12 + (end or REFERENCE).month - start.month
    return JobFact(title, kw.pop("org", None), start, end, end is None, months, at, at + 5, **kw)  # type: ignore[arg-type]


def test_experience_months_count_overlaps_once_and_recency_needs_a_recent_job() -> None:
    text = "Experience\nData Scientist\nML Engineer\n"
    jobs = (
        _job("Data Scientist", date(2015, 1, 1), date(2018, 1, 1), org="A"),
        _job("ML Engineer", date(2017, 1, 1), date(2019, 1, 1), org="B"),
    )
    scored = ENGINE.assess(_facts(text, jobs=jobs), _role())
    rule = _rule(scored, "relevant-experience")
    # 2015-01 .. 2019-01, overlap once; the jobs it rests on named (the citations are dates)
    assert rule.fact == "49 months in 2 job(s) with relevant titles: Data Scientist, ML Engineer"
    assert rule.points == pytest.approx(7 * 49 / 60, abs=0.01)
    assert _rule(scored, "software-experience").points == pytest.approx(3 * 49 / 60, abs=0.01)
    assert _rule(scored, "recent-relevant-experience") is None
    assert "overlapping-dates" in _flags(scored)
    # a software job counts as software experience, not as ML and data experience
    backend = (_job("Backend Developer", date(2015, 1, 1), date(2020, 1, 1), org="C"),)
    software = ENGINE.assess(_facts("Experience\nBackend Developer\n", jobs=backend), _role())
    assert _rule(software, "relevant-experience") is None
    assert _rule(software, "software-experience").points == 3
    # a recent job: the months are its whole length, said as such
    current = (_job("Data Scientist", date(2019, 1, 1), None, org="D"),)
    recent = _rule(ENGINE.assess(_facts(text, jobs=current), _role()), "recent-relevant-experience")
    months = current[0].months + 1  # the reference month counts
    assert recent.fact == (
        "1 job(s) with relevant titles current or ended within the last 24 months, "
        f"{months} months in all: Data Scientist"
    )


def test_an_engineer_or_developer_of_another_trade_is_no_software_experience() -> None:
    for title in ("Horizontal Construction Engineer", "Industrial Engineer", "Business Developer"):
        jobs = (_job(title, date(2015, 1, 1), date(2020, 1, 1), org="A"),)
        assessment = ENGINE.assess(_facts(f"Experience\n{title}\n", jobs=jobs), _role())
        assert _rule(assessment, "software-experience") is None, title
    for title in ("ABAP Developer", "Senior Software Engineer", "Java Developer"):
        jobs = (_job(title, date(2015, 1, 1), date(2020, 1, 1), org="A"),)
        assessment = ENGINE.assess(_facts(f"Experience\n{title}\n", jobs=jobs), _role())
        assert _rule(assessment, "software-experience").points == 3, title


def test_a_job_line_blanked_as_personal_data_is_not_quoted() -> None:
    """A job whose line was all personal data in the scoring text still counts, but its blank
    line is not offered as evidence."""
    text = "Experience\nData Scientist 2015 - 2018\n" + " " * 24 + "\n"
    jobs = (
        _job("Data Scientist", date(2015, 1, 1), date(2018, 1, 1), at=11),
        _job("ML Engineer", date(2017, 1, 1), date(2019, 1, 1), at=40),
    )
    scored = ENGINE.assess(_facts(text, jobs=jobs), _role())
    rule = _rule(scored, "relevant-experience")
    assert rule.fact.startswith("49 months in 2 job(s)")
    assert [c.text for c in rule.evidence] == ["Data Scientist 2015 - 2018"]
    [flag] = [f for f in scored.red_flags if f.code == "overlapping-dates"]
    assert all(c.text.strip() for c in flag.evidence)


def test_a_quote_inside_another_is_not_repeated() -> None:
    """Two hits on one long line are cut to two windows of it from the same line start; the
    recruiter reads the line once, in its longer window."""
    line = "Skills: Language: Java; Databases: Oracle, SQL; " + "IDE: Eclipse, Putty; " * 10
    assessment = ENGINE.assess(_facts(f"Summary\n{line}\n"), _role())
    [flag] = [f for f in assessment.red_flags if f.code == NO_VCS]
    assert len(line) > 220  # long enough for each hit's quote to be a window of it
    [quote] = flag.evidence
    assert quote.text.startswith("Skills: Language: Java; Databases: Oracle, SQL; IDE")


def test_a_job_s_quote_starts_after_the_sentence_joined_to_its_line() -> None:
    """A PDF may join the previous job's last sentence to the next job's line; the quote of
    the next job starts after that sentence, and a name ending in a full stop stays."""
    text = (
        "Experience\n"
        "Sales Associate 01/2012 to 02/2015 Company Name City , State\n"
        "Processed merchandise returns and exchanges. Company Name 03/2006 to 06/2013 Cashier\n"
        "Data Analyst at Acme Corp. 07/2016 to 08/2017\n"
    )
    starts = [text.index("01/2012"), text.index("03/2006"), text.index("07/2016")]
    jobs = (
        _job("Sales Associate", date(2012, 1, 1), date(2015, 2, 1), at=starts[0], org="A"),
        _job("Cashier", date(2006, 3, 1), date(2013, 6, 1), at=starts[1], org="B"),
        _job("Data Analyst", date(2016, 7, 1), date(2017, 8, 1), at=starts[2], org="C"),
    )
    assessment = ENGINE.assess(_facts(text, jobs=jobs), _role())
    [flag] = [f for f in assessment.red_flags if f.code == "overlapping-dates"]
    assert [c.text for c in flag.evidence] == [
        "Sales Associate 01/2012 to 02/2015 Company Name City , State",
        "Company Name 03/2006 to 06/2013 Cashier",
    ]
    [quote] = _rule(assessment, "relevant-experience").evidence  # "Corp." ends no sentence
    assert quote.text == "Data Analyst at Acme Corp. 07/2016 to 08/2017"


def test_notebook_only_flag_and_production_code_clears_it() -> None:
    text = "Experience\nBuilt churn models in Jupyter notebooks with Python.\n"
    flagged = ENGINE.assess(_facts(text), _role())
    [flag] = [f for f in flagged.red_flags if f.code == "notebook-only"]
    assert flag.severity == "warning"
    assert flag.evidence[0].text == "Built churn models in Jupyter notebooks with Python."
    cleared = ENGINE.assess(_facts(text + "Deployed them as a FastAPI service.\n"), _role())
    assert "notebook-only" not in _flags(cleared)


def test_research_only_is_an_info_note_and_flags_never_change_scores() -> None:
    text = (
        "Experience\nResearch assistant in a machine learning laboratory; thesis on "
        "graph neural networks, written in Python.\n"
    )
    assessment = ENGINE.assess(_facts(text), _role())
    [flag] = [f for f in assessment.red_flags if f.code == "research-only"]
    assert flag.severity == "info" and "needs production guidance" in flag.note
    without_flags = RubricEngine(RuleSet(RULES.dimensions.values(), [], []))
    same = without_flags.assess(_facts(text), _role())
    assert same.dimensions == assessment.dimensions and same.fit == assessment.fit


def test_llm_prompting_only_is_flagged_but_not_with_rag_or_fine_tuning() -> None:
    text = "Experience\nUsed ChatGPT and prompt engineering to draft marketing copy.\n"
    assert "llm-prompting-only" in _flags(ENGINE.assess(_facts(text), _role()))
    deeper = text + "Built a RAG assistant and fine-tuned Llama with LoRA.\n"
    assert "llm-prompting-only" not in _flags(ENGINE.assess(_facts(deeper), _role()))


def test_no_version_control_flag_and_any_sign_of_testing_clears_it() -> None:
    text = "Experience\nBuilt Python and SQL reports for the finance team.\n"
    [flag] = [f for f in ENGINE.assess(_facts(text), _role()).red_flags if f.code == NO_VCS]
    assert "no sign of version control or testing" in flag.note
    for practice in (
        "Kept the code in Git.",
        "Wrote unit tests for every report.",
        "Wrote and ran the test cases of each release by hand.",
        # testing told as part of building the software (a consultant's real line)
        "Prior support including designing, developing and testing VBA code in the databases.",
        "Designed, developed, tested and supported a real-time client/server application.",
    ):
        cleared = ENGINE.assess(_facts(text + practice + "\n"), _role())
        assert NO_VCS not in _flags(cleared), practice
    for other in (
        "Supported drug development and testing in the clinical lab.",
        "Web scraping using Selenium web driver.",  # a data scientist's tool, not a test
        "Set up, tested and configured printers and laptops.",
    ):
        flagged = ENGINE.assess(_facts(text + other + "\n"), _role())
        assert NO_VCS in _flags(flagged), other


NO_VCS = "no-version-control-or-testing"


def test_software_work_for_the_version_control_note_is_not_read_in_education() -> None:
    degree = "Education\nB.Sc. Software Engineering; thesis in Python\n"
    assert NO_VCS not in _flags(ENGINE.assess(_facts(degree), _role()))
    work = "Experience\nSoftware engineering of Python services for billing.\n"
    assert NO_VCS in _flags(ENGINE.assess(_facts(work), _role()))


def test_production_claims_without_monitoring_are_flagged() -> None:
    text = "Experience\nDeployed ML models to production for fraud scoring.\nML Engineer\n"
    flagged = ENGINE.assess(
        _facts(text.replace("Deployed ML models to production", "Productionized models")), _role()
    )
    assert "production-without-monitoring" in _flags(flagged)
    watched = text.replace("Deployed ML models to production", "Productionized models") + (
        "Set up drift monitoring and retraining.\n"
    )
    assert "production-without-monitoring" not in _flags(ENGINE.assess(_facts(watched), _role()))


def _skill(name: str, sections: tuple[str, ...], at: int = 0) -> SkillFact:
    evidence = Citation(name, at, at + len(name), sections[0], 1)
    return SkillFact(name.lower(), name, True, 1.0, "found", "alias", 1.0, evidence, sections)


def test_keyword_stuffing_needs_skills_named_only_in_the_list() -> None:
    text = "Experience\nAnalyst work.\nSkills\nPyTorch, Kubernetes, Spark, Airflow, SQL\n"
    listed = tuple(_skill(n, ("skills",)) for n in ("PyTorch", "Kubernetes", "Spark", "Airflow"))
    used = (_skill("SQL", ("skills", "experience")),)
    flagged = ENGINE.assess(_facts(text), _role(skills=listed + used))
    [flag] = [f for f in flagged.red_flags if f.code == "keyword-stuffing"]
    assert flag.note.startswith("4 of 5 role skills named only in the skills list")
    applied = tuple(dataclasses.replace(s, mentioned_in=("skills", "projects")) for s in listed)
    assert "keyword-stuffing" not in _flags(ENGINE.assess(_facts(text), _role(skills=applied)))
    # a CV whose experience section was not recognised is not accused of stuffing
    no_sections = _facts("PyTorch, Kubernetes, Spark, Airflow")
    assert "keyword-stuffing" not in _flags(ENGINE.assess(no_sections, _role(skills=listed)))


def test_hidden_text_flag_counts_characters_and_quotes_them() -> None:
    hidden = (HiddenFact(1, "background_colour", "Python PyTorch Kubernetes expert " * 4),)
    assessment = ENGINE.assess(_facts("Experience\nClerk\n", hidden=hidden), _role())
    [flag] = [f for f in assessment.red_flags if f.code == "hidden-text"]
    assert flag.note.startswith("132 hidden characters on page(s) 1 (background colour)")
    assert flag.evidence[0].text.startswith("Python PyTorch Kubernetes expert")
    assert flag.evidence[0].section == "hidden"


def test_impossible_dates_are_flagged_with_the_entry() -> None:
    text = "Experience\nData Engineer 2021 - 2019\n"
    job = JobFact("Data Engineer", None, date(2021, 1, 1), date(2019, 1, 1), False, 0, 11,
                  len(text), "end_before_start")  # fmt: skip
    assessment = ENGINE.assess(_facts(text, jobs=(job,)), _role())
    [flag] = [f for f in assessment.red_flags if f.code == "impossible-dates"]
    assert "2021-01 to 2019-01: end before start" in flag.note
    assert flag.evidence[0].text == "Data Engineer 2021 - 2019"


def test_gap_and_foreign_degree_raise_no_flag_and_change_nothing_else() -> None:
    text = (
        "Experience\nML Engineer at Acme, deployed models, monitoring, git and pytest.\n"
        "Data Scientist at Beta\nEducation\nM.Sc. Computer Science, Bogazici University, Istanbul\n"
    )
    degree = DegreeFact("master", "M.Sc. Computer Science", "Computer Science", 0, 20)
    continuous = (
        _job("ML Engineer", date(2020, 1, 1), None, org="Acme"),
        _job("Data Scientist", date(2016, 1, 1), date(2020, 1, 1), org="Beta"),
    )
    with_gap = (
        _job("ML Engineer", date(2020, 1, 1), None, org="Acme"),
        _job("Data Scientist", date(2014, 1, 1), date(2017, 1, 1), org="Beta"),  # 3-year gap
    )
    smooth = ENGINE.assess(_facts(text, jobs=continuous, degrees=(degree,)), _role())
    gapped = ENGINE.assess(_facts(text, jobs=with_gap, degrees=(degree,)), _role())
    assert _flags(gapped) == _flags(smooth)
    for flag in gapped.red_flags:
        assert "gap" not in flag.note.lower() and "foreign" not in flag.note.lower()
        assert "bogazici" not in " ".join(c.text.lower() for c in flag.evidence)


def test_sourcing_signals_are_notes_with_evidence() -> None:
    text = (
        "Experience\nResearch Engineer at Google DeepMind.\nKaggle Grandmaster, 3 gold medals.\n"
        "Core contributor to Hugging Face transformers.\n"
    )
    assessment = ENGINE.assess(_facts(text), _role())
    codes = [s.code for s in assessment.sourcing_signals]
    assert codes == ["kaggle-competitor", "open-source-contributor", "research-lab-alumni"]
    lab = assessment.sourcing_signals[-1]
    assert lab.evidence[0].text == "Research Engineer at Google DeepMind."


def test_assessment_is_deterministic() -> None:
    text = "Experience\nDeployed PyTorch models with Docker, git, pytest, monitoring.\n"
    first = ENGINE.assess(_facts(text), _role(coverage=61.234))
    again = RubricEngine(load_rules()).assess(_facts(text), _role(coverage=61.234))
    assert first == again
    assert first.coverage == 61.23


def test_rule_names_in_the_summary_keep_their_acronyms_and_names() -> None:
    from rubrics._explain import _inline

    assert _inline("Years of ML and data experience") == "years of ML and data experience"
    assert _inline("Theory-heavy work (Bayesian methods)") == "theory-heavy work (Bayesian methods)"
    assert _inline("ML pipelines") == "ML pipelines"
    assert _inline("PhD holder") == "PhD holder"
    assert _inline("CI/CD for ML") == "CI/CD for ML"
    assert _inline("Kaggle and competition standing") == "Kaggle and competition standing"


# A PDF's lines of prose, as a template breaks them (resumematcher_harvey_dent_mle.pdf).
_WRAPPED = (
    "Python, R, TensorFlow, PyTorch, Scikit-learn, Keras, SQL, NoSQL, Git, Docker,\n"
    "Kubernetes, Agile and Scrum, Statistics\n"
    "language processing tasks. Improved the efficiency of model training and data processing\n"
    "pipelines. Published several research papers in top-tier AI conferences.\n"
    "Developed and deployed machine learning models to improve the efficiency of ride allocation\n"
    "algorithms. Utilized TensorFlow and PyTorch for developing predictive models. Analyzed\n"
    "and visualized large data sets to drive business strategies.\n"
)


@pytest.mark.parametrize(
    ("hit", "occurrence", "quote"),
    [
        # the sentence between the full stops on its line
        ("TensorFlow", 1, "Utilized TensorFlow and PyTorch for developing predictive models."),
        # a sentence begun on the line before, which ends in no stop
        (
            "pipelines",
            0,
            "Improved the efficiency of model training and data processing\npipelines.",
        ),
        ("research", 0, "Published several research papers in top-tier AI conferences."),
        # a sentence that runs on into the next line, which starts in lower case
        (
            "deployed",
            0,
            "Developed and deployed machine learning models to improve the efficiency of ride "
            "allocation\nalgorithms.",
        ),
        # a list: its line, whole (the next line starts in upper case)
        ("Git", 0, "Python, R, TensorFlow, PyTorch, Scikit-learn, Keras, SQL, NoSQL, Git, Docker,"),
    ],
)
def test_a_quote_is_its_hit_s_sentence_across_the_pdf_s_line_breaks(
    hit: str, occurrence: int, quote: str
) -> None:
    start = -1
    for _ in range(occurrence + 1):
        start = _WRAPPED.index(hit, start + 1)
    low, high = quote_bounds(_WRAPPED, start, start + len(hit))
    assert _WRAPPED[low:high] == quote
    # lines as they stand where a caller asks for them (an education or job entry)
    low, high = quote_bounds(_WRAPPED, start, start + len(hit), sentence=False)
    line_start = _WRAPPED.rfind("\n", 0, start) + 1
    assert (low, high) == (line_start, _WRAPPED.index("\n", start))
