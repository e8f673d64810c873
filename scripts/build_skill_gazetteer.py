"""Build ``screener/data/skills.tsv``, the skill gazetteer the profile stage matches CVs against.

Sources (read from ``--data-dir``, default ``../shared/data``):
- O*NET 29.2 Technology Skills: tool and language names, with the hot-technology flags;
- ESCO ICT skills collection: broad digital skills (preferred and alternative labels);
- a hand-written list of AI/ML skills and their aliases (below), which the public taxonomies
  either lack (LoRA, RAG, vector databases) or spell in ways CVs never use.

Output: one alias per line, ``alias<TAB>canonical<TAB>mode``, sorted. ``mode`` tells the matcher
how careful to be:
- ``i``   case-insensitive (distinctive names: ``pytorch``, ``Kubernetes``);
- ``cs``  case-sensitive, because the lower-case form is an ordinary English word
          ("Excel" vs "excel at", "Spring" vs "spring", "Slack" vs "slack");
- ``ctx`` case-sensitive and only inside a list (commas, slashes, bullets, line ends) or before
          "programming"/"language": one- or two-letter names such as ``R``, ``C``, ``Go``.

Run: ``python scripts/build_skill_gazetteer.py [--data-dir ../shared/data]``. The generated file is
committed, so the runtime never needs the shared data.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "screener" / "data" / "skills.tsv"

# canonical: aliases. The canonical name is always an alias too. Case rules come from _mode().
HAND_SKILLS: dict[str, tuple[str, ...]] = {
    # languages
    "Python": ("python", "python3", "python 3"),
    "R": ("R", "R programming", "R language", "RStudio"),
    "C": ("C",),
    "C++": ("C++", "cpp", "c plus plus"),
    "C#": ("C#", "c sharp"),
    "Go": ("Go", "Golang", "Go lang"),
    "Java": ("Java", "Core Java"),
    "JavaScript": ("JavaScript", "Java Script", "JS"),
    "TypeScript": ("TypeScript",),
    "Julia": ("Julia",),
    "Scala": ("Scala",),
    "Rust": ("Rust",),
    "Kotlin": ("Kotlin",),
    "Swift": ("Swift",),
    "MATLAB": ("MATLAB", "Matlab"),
    "SQL": ("SQL",),
    "PL/SQL": ("PL/SQL", "PL-SQL", "PLSQL", "PL SQL"),
    "T-SQL": ("T-SQL", "TSQL"),
    "Bash": ("Bash", "shell scripting", "Shell"),
    "CUDA": ("CUDA",),
    ".NET": (".NET", "dotnet"),
    "ASP.NET": ("ASP.NET",),
    "HTML": ("HTML", "HTML5"),
    "CSS": ("CSS", "CSS3"),
    "Node.js": ("Node.js", "NodeJS", "Node js"),
    # ML frameworks and libraries
    "PyTorch": ("PyTorch", "torch", "PyTorch Lightning", "Lightning"),
    "TensorFlow": ("TensorFlow", "tf.keras", "TensorFlow Lite", "TFLite", "TF Serving"),
    "Keras": ("Keras",),
    "JAX": ("JAX", "Flax"),
    "scikit-learn": ("scikit-learn", "sklearn", "scikit learn", "scikit"),
    "XGBoost": ("XGBoost",),
    "LightGBM": ("LightGBM",),
    "CatBoost": ("CatBoost",),
    "pandas": ("pandas",),
    "NumPy": ("NumPy",),
    "SciPy": ("SciPy",),
    "Matplotlib": ("Matplotlib",),
    "seaborn": ("seaborn",),
    "Plotly": ("Plotly",),
    "statsmodels": ("statsmodels",),
    "Jupyter": ("Jupyter", "Jupyter Notebook", "JupyterLab", "IPython"),
    "Hugging Face Transformers": (
        "Hugging Face Transformers",
        "HuggingFace Transformers",
        "Hugging Face",
        "HuggingFace",
        "transformers library",
        "HF Transformers",
    ),
    "spaCy": ("spaCy",),
    "NLTK": ("NLTK",),
    "Gensim": ("Gensim",),
    "OpenCV": ("OpenCV", "cv2"),
    "YOLO": ("YOLO", "YOLOv5", "YOLOv7", "YOLOv8", "Ultralytics"),
    "Detectron2": ("Detectron2", "Detectron"),
    "MMDetection": ("MMDetection",),
    "ONNX": ("ONNX", "ONNX Runtime"),
    "TensorRT": ("TensorRT",),
    "OpenVINO": ("OpenVINO",),
    "Triton Inference Server": ("Triton Inference Server", "NVIDIA Triton"),
    "vLLM": ("vLLM",),
    "DeepSpeed": ("DeepSpeed",),
    "Ray": ("Ray Tune", "Ray Serve", "Ray"),
    "Optuna": ("Optuna",),
    # LLM / GenAI
    "LoRA": ("LoRA",),
    "QLoRA": ("QLoRA",),
    "PEFT": ("PEFT", "parameter-efficient fine-tuning"),
    "RAG": ("RAG", "retrieval-augmented generation", "retrieval augmented generation"),
    "LangChain": ("LangChain",),
    "LlamaIndex": ("LlamaIndex", "llama-index", "GPT Index"),
    "OpenAI API": ("OpenAI API", "OpenAI"),
    "RLHF": ("RLHF",),
    "Prompt engineering": ("prompt engineering",),
    "LLM": ("LLM", "LLMs", "large language models", "large language model"),
    "BERT": ("BERT", "RoBERTa", "DistilBERT"),
    "GPT": ("GPT", "GPT-3", "GPT-4", "ChatGPT"),
    "Llama": ("Llama", "Llama 2", "Llama 3", "LLaMA"),
    "Stable Diffusion": ("Stable Diffusion", "diffusion models"),
    "sentence-transformers": ("sentence-transformers", "SentenceTransformers"),
    # vector databases and search
    "FAISS": ("FAISS",),
    "Pinecone": ("Pinecone",),
    "Weaviate": ("Weaviate",),
    "Milvus": ("Milvus",),
    "Qdrant": ("Qdrant",),
    "Chroma": ("ChromaDB", "Chroma"),
    "pgvector": ("pgvector",),
    "Elasticsearch": ("Elasticsearch", "Elastic Search", "ELK", "OpenSearch"),
    "Vector database": ("vector database", "vector databases", "vector DB", "vector store"),
    # MLOps and data engineering
    "MLflow": ("MLflow",),
    "Weights & Biases": ("Weights & Biases", "Weights and Biases", "W&B", "wandb"),
    "Kubeflow": ("Kubeflow",),
    "Airflow": ("Apache Airflow", "Airflow"),
    "DVC": ("DVC",),
    "Docker": ("Docker", "docker-compose", "Docker Compose"),
    "Kubernetes": ("Kubernetes", "k8s", "EKS", "GKE", "AKS"),
    "Terraform": ("Terraform",),
    "Helm": ("Helm",),
    "Jenkins": ("Jenkins",),
    "GitHub Actions": ("GitHub Actions",),
    "GitLab CI": ("GitLab CI", "GitLab"),
    "Git": ("Git",),
    "Spark": ("Apache Spark", "Spark", "PySpark", "Spark SQL", "Spark MLlib", "MLlib"),
    "Hadoop": ("Hadoop", "HDFS", "MapReduce", "Hive", "Apache Hive"),
    "Kafka": ("Apache Kafka", "Kafka"),
    "Flink": ("Apache Flink", "Flink"),
    "dbt": ("dbt",),
    "Databricks": ("Databricks",),
    "Snowflake": ("Snowflake",),
    "BigQuery": ("BigQuery",),
    "Redshift": ("Redshift", "Amazon Redshift"),
    "SageMaker": ("SageMaker", "Amazon SageMaker", "AWS SageMaker"),
    "Vertex AI": ("Vertex AI",),
    "Azure Machine Learning": ("Azure ML", "Azure Machine Learning"),
    "AWS": ("AWS", "Amazon Web Services", "EC2", "S3", "Lambda", "AWS Lambda"),
    "Azure": ("Azure", "Microsoft Azure"),
    "GCP": ("GCP", "Google Cloud", "Google Cloud Platform"),
    "FastAPI": ("FastAPI",),
    "Flask": ("Flask",),
    "Django": ("Django",),
    "Streamlit": ("Streamlit",),
    "Gradio": ("Gradio",),
    "PostgreSQL": ("PostgreSQL", "Postgres"),
    "MySQL": ("MySQL",),
    "MongoDB": ("MongoDB", "Mongo"),
    "Redis": ("Redis",),
    "SQLite": ("SQLite",),
    "NoSQL": ("NoSQL",),
    "Linux": ("Linux", "Ubuntu", "Debian", "CentOS", "Red Hat", "RedHat", "RHEL"),
    "Tableau": ("Tableau",),
    "Power BI": ("Power BI", "PowerBI"),
    "Excel": ("Excel", "MS Excel", "Microsoft Excel"),
    "Microsoft Office": ("Microsoft Office", "MS Office", "MS-Office", "Office 365"),
    "Microsoft Word": ("MS Word", "Microsoft Word", "Word"),
    "PowerPoint": ("PowerPoint", "Power Point", "MS PowerPoint"),
    "Microsoft Access": ("MS Access", "Microsoft Access", "Access"),
    "JIRA": ("JIRA", "Jira"),
    "REST": ("REST", "RESTful", "REST API", "REST APIs"),
    "GraphQL": ("GraphQL",),
    "gRPC": ("gRPC",),
    "ROS": ("ROS", "ROS2"),
    # general software engineering tools that O*NET names only with a vendor or not at all
    "Oracle": ("Oracle", "Oracle Database", "Oracle DB", "Oracle 10g", "Oracle 11g", "Oracle 12c"),
    "Eclipse": ("Eclipse",),
    "Java EE": ("J2EE", "Java EE", "JEE", "J2SE", "J2ME", "EJB", "JMS", "JSP", "JSF", "Servlets"),
    "Spring": ("Spring", "Spring Boot", "Spring MVC"),
    "Hibernate": ("Hibernate",),
    "Struts": ("Struts",),
    "Unix": ("Unix", "UNIX", "Solaris", "AIX", "HP-UX"),
    "SOAP": ("SOAP", "WSDL"),
    "SAP": ("SAP", "SAP ABAP", "ABAP"),
    "Flash": ("Flash", "Adobe Flash", "Macromedia Flash", "ActionScript"),
    "TCP/IP": ("TCP/IP", "TCP", "UDP", "HTTP", "HTTPS", "FTP", "SSH", "DNS", "DHCP"),
    "IIS": ("IIS",),
    "ASP": ("ASP", "Classic ASP"),
    "UML": ("UML",),
    "Apache": ("Apache", "Apache HTTP Server", "Tomcat", "Apache Tomcat"),
    "VMware": ("VMware", "vSphere", "ESXi"),
    "MVC": ("MVC",),
    "Toad": ("TOAD", "Toad"),
    "Subversion": ("SVN", "Subversion", "CVS", "Perforce", "Mercurial", "TFS"),
    "macOS": ("Mac", "Mac OS", "Mac OS X", "MacOS", "OS X"),
    "Swing": ("Swing", "AWT"),
    "Assembly": ("Assembly", "Assembler", "x86 assembly"),
    "JBoss": ("JBoss", "WildFly"),
    "WebLogic": ("WebLogic", "Web Logic", "WebSphere"),
    "MS-DOS": ("MS-DOS", "DOS"),
    "Visual C++": ("Visual C++", "MFC", "VC++"),
    "SOA": ("SOA", "ESB", "Mule ESB"),
    "LAMP": ("LAMP",),
    "SQL Server": ("SQL Server", "MS SQL", "MSSQL", "SSIS", "SSRS", "SSAS"),
    "SPSS": ("SPSS",),
    "Exchange Server": ("Exchange Server", "Microsoft Exchange"),
    "Log4j": ("Log4j",),
    "JSON": ("JSON", "XSD", "XML", "XSLT", "YAML"),
    "Qt": ("Qt",),
    "Ant": ("Ant", "Apache Ant"),
    "VBScript": ("VBScript", "VBA", "VB.NET", "Visual Basic", "VB6"),
    "Tcl": ("Tcl",),
    "Selenium": ("Selenium", "Selenium WebDriver", "QTP", "LoadRunner", "Quality Center"),
    "Adobe Creative Suite": (
        "Photoshop",
        "Adobe Photoshop",
        "Illustrator",
        "Adobe Illustrator",
        "InDesign",
        "Dreamweaver",
        "Fireworks",
        "Adobe Suite",
        "Creative Suite",
        "Premiere Pro",
    ),
    "Google Ads": ("Google AdWords", "AdWords", "Google Ads", "Google Analytics"),
    "Microsoft Publisher": ("Publisher", "MS Publisher"),
    "MS Project": ("MS Project", "Microsoft Project"),
    "Rally": ("Rally",),
    "Android": ("Android", "Android Studio"),
    "iOS": ("iOS", "Xcode", "Objective-C"),
    "jQuery": ("jQuery", "AJAX", "Ajax", "Bootstrap"),
    "Windows": ("Windows", "Windows XP", "Windows 7", "Windows 10", "Windows NT", "Windows Server"),
    # methods that recruiters search for by name
    "Machine learning": ("machine learning",),
    "Deep learning": ("deep learning",),
    "Natural language processing": ("natural language processing", "NLP"),
    "Computer vision": ("computer vision",),
    "Reinforcement learning": ("reinforcement learning",),
    "Time series forecasting": ("time series forecasting", "time-series forecasting"),
    "CNN": ("CNN", "CNNs", "convolutional neural networks", "convolutional neural network"),
    "RNN": ("RNN", "LSTM", "GRU", "recurrent neural networks"),
    "Transformers (architecture)": ("transformer models", "transformer architecture"),
    "MLOps": ("MLOps",),
    "A/B testing": ("A/B testing", "A/B tests"),
    "Statistics": ("statistical modeling", "statistical modelling", "Bayesian inference"),
}

# Aliases that taxonomies produce but that are so common in CV prose that a match says nothing.
# fmt: off
DENY_ALIASES = {
    "project", "office", "teams", "team", "email", "e-mail", "internet", "web", "windows live",
    "notepad", "paint", "calculator", "browser", "computer", "data", "database", "server",
    "cloud", "mail", "chrome", "edge", "safari", "explorer", "messenger", "skype for business",
    "adobe", "sage", "ibm", "google", "microsoft", "apple", "amazon",
    "facebook workplace", "zoom", "meet", "forms", "sheets", "docs", "drive", "calendar",
    "spreadsheet", "presentation", "word processing", "the", "time", "target", "express",
    "make", "dash", "gather", "tally", "shield", "pilot", "survey", "compass", "atlas", "focus",
    "insight", "insights", "prism", "vision", "canvas", "quest", "catalyst", "impact", "pulse",
    "studio", "suite", "center", "centre", "manager", "reporter", "designer", "builder",
    "monitor", "scheduler", "planner", "analyst", "navigator", "commander",
    "orchestrator", "director", "connect", "link", "bridge", "gateway", "portal", "hub",
    "basic", "standard", "professional", "enterprise", "premier", "advanced", "lite", "pro",
    "c shell", "visual basic for applications", "mobile", "smart", "one", "go", "r",
}
# fmt: on

# fmt: off
VENDOR_PREFIXES = (
    "Amazon Web Services", "Microsoft", "Oracle", "Apache", "Amazon", "Google", "IBM", "Adobe",
    "SAP", "The MathWorks", "MathWorks", "Autodesk", "Atlassian", "Red Hat", "Salesforce",
    "Cisco", "VMware", "Intuit", "Dassault Systemes", "Bentley", "ESRI", "Esri",
    "Hewlett Packard Enterprise", "HP", "Facebook", "Meta", "Elastic", "JetBrains", "SAS",
    "Tableau", "Qlik", "Teradata", "Informatica", "Splunk", "MongoDB", "Docker", "NVIDIA",
    "Apple", "Linux", "Unix", "Eclipse", "Jenkins", "GitHub", "GitLab",
)
# fmt: on

# Commodity groups of O*NET whose examples are the tools engineers and data people name.
# fmt: off
TECH_COMMODITIES = {
    "Development environment software", "Object or component oriented development software",
    "Web platform development software", "Data base management system software",
    "Data base user interface and query software", "Operating system software",
    "Program testing software", "Configuration management software",
    "Application server software", "Enterprise application integration software",
    "Business intelligence and data analysis software", "Analytical or scientific software",
    "File versioning software", "Web page creation and editing software",
    "Cloud-based data access and sharing software", "Network monitoring software",
    "Spreadsheet software", "Word processing software", "Presentation software",
    "Office suite software", "Project management software", "Graphics or photo imaging software",
    "Enterprise resource planning ERP software", "Customer relationship management CRM software",
    "Data base reporting software", "Computer aided design CAD software",
    "Transaction security and virus protection software", "Internet browser software",
    "Desktop publishing software", "Video creation and editing software",
    "Electronic mail software", "Instant messaging software",
}
# fmt: on

_TRAILING_ACRONYM = re.compile(
    r"^(?P<phrase>.+?)\s+(?P<acronym>[A-Z][A-Za-z0-9+#/.&-]*[A-Z0-9+#])$"
)


def _common_words(data_dir: Path) -> Counter[str]:
    """Lower-case word counts in O*NET task statements: a proxy for 'ordinary English word'."""
    counts: Counter[str] = Counter()
    path = data_dir / "onet-29.2" / "Task Statements.txt"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            counts.update(re.findall(r"\b[a-z][a-z-]+\b", row["Task"]))
    return counts


# Names that are also everyday words; a CV writes the tool capitalised ("Excel", "Spring").
# fmt: off
FORCE_CASE_SENSITIVE = {
    "Excel", "Word", "Access", "Outlook", "Windows", "Spring", "Slack", "Box", "Shell", "Rust",
    "Swift", "Julia", "Ray", "Lightning", "Flask", "Helm", "Chroma", "Pinecone", "Snowflake",
    "Airflow", "Hive", "Kafka", "Flink", "Lambda", "Mongo", "React", "Express", "Ant", "Maven",
    "Puppet", "Chef", "Salt", "Unity", "Maya", "Keras", "Gradle", "Jenkins", "Bamboo", "Tableau",
    "Git", "Pig", "Storm", "Spark", "Flash", "Drupal", "Joomla", "Scala", "Rally", "Perforce",
    "Visio", "Redis", "Ruby", "Perl", "Rails", "Dart", "Elixir", "Erlang", "Haskell", "Lua",
    "Ember", "Backbone", "Angular", "Vue", "Mercurial", "Subversion", "Docker", "Lightroom",
}
# fmt: on


def _mode(alias: str, common: Counter[str]) -> str:
    if len(alias) <= 2 and alias.isalpha():
        return "ctx"
    words = alias.split()
    if alias in FORCE_CASE_SENSITIVE:
        return "cs"
    # Short acronyms collide with ordinary words in any case but upper ("COM", "DOS", "RAG").
    if alias.isupper() and len(alias) <= 5:
        return "cs"
    if any(ch.isupper() for ch in alias) and all(common[w.lower()] >= 3 for w in words):
        return "cs"
    return "i"


def _onet_aliases(example: str) -> tuple[str, set[str]] | None:
    """Canonical name and aliases for one O*NET example, or None for a generic description."""
    name = example.strip()
    name = re.sub(r"\s+software$", "", name)
    tokens = name.split()
    aliases: set[str] = set()
    acronym = _TRAILING_ACRONYM.match(name)
    # "Structured query language SQL": a lower-case description followed by its acronym.
    if acronym and len(tokens) > 1 and tokens[1][:1].islower():
        short = acronym.group("acronym")
        return short, {short, acronym.group("phrase")}
    # Descriptions ("Tax", "Desktop partitioning") rather than products: no capitals after word 1.
    if len(tokens) > 1 and not any(ch.isupper() or ch.isdigit() for t in tokens[1:] for ch in t):
        return None
    aliases.add(name)
    for vendor in VENDOR_PREFIXES:
        if name.startswith(vendor + " ") and len(name) > len(vendor) + 2:
            rest = name[len(vendor) + 1 :]
            aliases.add(rest)
            break
    canonical = name
    return canonical, aliases


def _keep_onet_alias(alias: str, common: Counter[str]) -> bool:
    """Drop O*NET aliases that are a single ordinary word ("Calibration", "Notes", "AIR")."""
    words = alias.split()
    if len(alias) < 3 and alias not in ("C", "R"):
        return False
    if len(words) == 1 and common[alias.lower()] >= 1 and alias not in FORCE_CASE_SENSITIVE:
        return False
    return True


def build(data_dir: Path) -> list[tuple[str, str, str]]:
    common = _common_words(data_dir)
    by_alias: dict[str, tuple[str, str]] = {}

    def add(alias: str, canonical: str, *, overwrite: bool) -> None:
        alias = alias.strip()
        key = alias.lower()
        if len(alias) < 1 or key in DENY_ALIASES and not overwrite:
            return
        if len(alias) > 60 or "\t" in alias:
            return
        if key in by_alias and not overwrite:
            return
        by_alias[key] = (alias, canonical)

    # Hand list first and with priority: its canonical names are the ones rubrics refer to.
    for canonical, aliases in HAND_SKILLS.items():
        for alias in (canonical, *aliases):
            add(alias, canonical, overwrite=True)

    path = data_dir / "onet-29.2" / "Technology Skills.txt"
    occupations: dict[str, set[str]] = defaultdict(set)
    commodities: dict[str, set[str]] = defaultdict(set)
    hot: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            example = row["Example"]
            occupations[example].add(row["O*NET-SOC Code"])
            commodities[example].add(row["Commodity Title"])
            if row["Hot Technology"] == "Y" or row["In Demand"] == "Y":
                hot.add(example)
    for example in sorted(occupations):
        in_tech = bool(commodities[example] & TECH_COMMODITIES)
        computing = any(code.startswith("15-") for code in occupations[example])
        # Keep tools that many occupations name or that O*NET flags as hot, and the whole
        # computing family; thousands of niche vertical products (dental billing…) would only
        # add false hits.
        if not (example in hot or (in_tech and (computing or len(occupations[example]) >= 3))):
            continue
        parsed = _onet_aliases(example)
        if parsed is None:
            continue
        canonical, aliases = parsed
        for alias in sorted(aliases):
            if _keep_onet_alias(alias, common):
                add(alias, canonical, overwrite=False)

    esco = data_dir / "esco-csv" / "ictSkillsCollection_en.csv"
    with esco.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            canonical = row["preferredLabel"].strip()
            # ESCO ICT labels are phrases ("computer programming"); short ones are useful as is.
            for alias in [canonical, *row["altLabels"].split(" | ")]:
                if alias and len(alias.split()) <= 3 and _keep_onet_alias(alias, common):
                    add(alias, canonical, overwrite=False)

    rows = []
    for alias, canonical in list(by_alias.values()):
        mode = _mode(alias, common)
        if canonical in HAND_SKILLS and alias in HAND_SKILLS[canonical] and alias.islower():
            mode = "i"  # hand-written lower-case aliases are meant case-insensitively
        rows.append((alias, canonical, mode))
        # "UNIX" is also written "Unix", "AJAX" "Ajax"; the lower-case form stays excluded.
        titled = alias.title()
        if (
            mode == "cs"
            and alias.isupper()
            and alias.isalpha()
            and len(alias) >= 3
            and common[alias.lower()] == 0
        ):
            rows.append((titled, canonical, "cs"))
    unique: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        unique.setdefault(row[0], row)  # one row per exact alias; the first one wins
    rows = sorted(unique.values(), key=lambda row: (row[1].lower(), row[0].lower(), row[0]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    rows = build(args.data_dir)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("# alias\tcanonical\tmode (i: any case, cs: case-sensitive, ctx: in lists)\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} aliases to {args.output}")


if __name__ == "__main__":
    main()
