"""The source registry: every raw source declared once, found on disk and verified by sha256.

Each source names its origin (where ``amurkg fetch`` downloads it again, kg/sources/fetch.py), its files with their
checksums, its licence and citation, and the reader in ``ingest/`` that turns it into records.
A missing file or a checksum mismatch stops the build before anything is written.

The sources every build reads are declared here, in Python. Checklist archives a data steward adds (a Russian
Far East or Mongolian flora) are declared in a YAML file, ``checklists.yml`` (``AMURKG_CHECKLISTS``), and become
sources of the same kind (``declared_checklists``; ``all_sources`` is both): fetched, verified and described
like the others, read by ``ingest.checklists`` (docs/decisions/0010-declared-checklists.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import config
from kg.namespaces import slug

ROOT = config.ROOT
SHARED_SOURCES = ROOT.parent / "shared" / "data" / "sources"
SUPPLY_HINT = (
    "pass a directory holding them with `amurkg build --sources DIR` or `AMURKG_SOURCES=DIR`, "
    "or run `amurkg fetch` where there is a network"
)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    origin: str  # base URL; each file's URL is origin + file name where files lie in a folder
    files: dict[str, str]  # path relative to the sources directory -> sha256
    licence: str
    citation: str
    # the module in ingest/ that reads it: a species reader (SOURCES, read), a reference reader (read_reference),
    # the checklist reader, or a loader the species readers share (ingest.rangebuilder.load: rangeBuilder's boxes
    # and country lists, read by the birds, mammals, amphibians, reptiles and WildFinder readers)
    reader: str
    publisher: str = ""
    retrieved: str = ""  # when the pinned snapshot was recorded at its origin (ISO date)
    homepage: str = ""
    fetch_with: str = "http"  # "http", or "pip" for a wheel taken from the package index
    pip_requirement: str = ""
    notes: str = ""
    urls: dict[str, str] = field(default_factory=dict)  # file -> download URL
    # file -> (full file, "git-blob:<id>"): the staged file is an extract of a full file published at the origin.
    # Either is accepted, each by its own digest; the fetcher downloads the full file (the extract is nowhere
    # online), verified by the git blob id its repository gives it.
    alternates: dict[str, tuple[str, str]] = field(default_factory=dict)

    def url(self, file: str) -> str:
        return self.urls.get(file, self.origin)

    def provenance(self) -> Provenance:
        files = sorted(self.files.items())
        return Provenance(
            id=self.id,
            title=self.title,
            licence=self.licence,
            citation=self.citation,
            reader=self.reader,
            sha256=tuple(sha for _, sha in files),
            downloads=tuple(self.url(file) for file, _ in files),
            publisher=self.publisher,
            landing_page=self.homepage,
            retrieved=self.retrieved,
        )


@dataclass(frozen=True)
class Provenance:
    """What the graph states of a source (kg/build/pipeline.py ``describe_source``): one shape for the registered
    sources, the
    curated facts and the archives given to a build (GBIF occurrences, checklists)."""

    id: str
    title: str
    licence: str
    citation: str
    reader: str  # the ingest module that reads it
    sha256: tuple[str, ...]  # of each file read
    downloads: tuple[str, ...] = ()
    publisher: str = ""
    landing_page: str = ""
    retrieved: str = ""  # ISO date, year-month or year
    file_name: str = ""  # a file given to the build (not fetched): its name ...
    given_as: str = ""  # ... and how it was given ("amurkg build --checklist primorye.zip")


_GH = "https://raw.githubusercontent.com/"
_IUCN_BASE = _GH + "ropensci/rredlist/b79f10f287b004cbfa765da170df7a3154efc08f/tests/fixtures/"
_IUCN_FILES = {
    "iucn-redlist-api-v4/rl_threats-def.yml": "ebdc646312253d1251fbb40dba6ee54b4c76b16315b97c9e6546f7f11f84c516",
    "iucn-redlist-api-v4/rl_actions-def.yml": "020f68780215100c2c6186f8b5923cf43d888c53a41448876f4745ef4a6a762d",
    "iucn-redlist-api-v4/rl_habitats-def.yml": "e86b4d9d6ab6d084dbbf3908fdeed120db5ca78c4cca5d4cd0499466b294b185",
    "iucn-redlist-api-v4/rl_stresses-def.yml": "fbe7083347f0110f15a772be15fc675e9d9352b84bed0117f9650a4c6195c3fc",
    "iucn-redlist-api-v4/rl_categories-def.yml": "e4c694929a8a55d26e9f314a886d3a274fd00807d00ee85fd3394b2bb5304375",
    "iucn-redlist-api-v4/rl_countries-def.yml": "8890db70ad58ba18398db3c70ac97b0e7306a8eface842c162354e0c2abf900e",
}


SOURCES: list[Source] = [
    Source(
        id="wwf-teow-2001",
        title="WWF Terrestrial Ecoregions of the World (Olson et al. 2001), with Global 200 attributes",
        origin="https://pypi.org/project/pytsammalex/0.1.0/",
        files={
            "wwf-teow-2001/pytsammalex-0.1.0-py2.py3-none-any.whl": (
                "f4f4965233f436578cbfcaf1af372d2860d5bf1768df9d96af3175012b38300f"
            )
        },
        fetch_with="pip",
        pip_requirement="pytsammalex==0.1.0",
        licence="Ecoregion data by WWF, free with citation; the pytsammalex wheel is Apache-2.0",
        citation=(
            "Olson, D. M. et al. (2001) Terrestrial ecoregions of the world: a new map of life on Earth. "
            "BioScience 51(11): 933-938."
        ),
        reader="ingest.ecoregions",
        publisher="World Wildlife Fund",
        retrieved="2001",
        homepage="https://www.worldwildlife.org/publications/terrestrial-ecoregions-of-the-world",
    ),
    Source(
        id="iucn-redlist-api-v4",
        title="IUCN Red List API v4 classification schemes (threats 3.3, conservation actions 2.0, habitats 3.1, "
        "stresses, categories, countries)",
        origin=_IUCN_BASE,
        files=dict(_IUCN_FILES),
        urls={f: _IUCN_BASE + f.split("/")[-1] for f in _IUCN_FILES},
        licence="IUCN Red List terms of use; the classification code lists are published standards",
        citation="IUCN (2024). The IUCN Red List of Threatened Species, API v4: classification schemes. "
        "https://api.iucnredlist.org (responses recorded 2024-09-17 in the rredlist test fixtures).",
        reader="ingest.iucn",
        publisher="International Union for Conservation of Nature",
        retrieved="2024-09-17",
        homepage="https://www.iucnredlist.org/resources/classification-schemes",
    ),
    Source(
        id="col-china-2023",
        title="Checklist of Plant Species in China 2023 (accepted names)",
        origin=_GH + "helixcn/LPSC/459cd72fedeca0d6190ac42a5980c907676cca42/data/dat_all_accepted_sp2023.rda",
        files={
            "col-china-2023/dat_all_accepted_sp2023.rda": "14da30bffe0bc3f3f965f5fc277b30e1d62365f30857ca88957b6f1b8b1434d0"
        },
        licence="Free with citation; cite the Species 2000 China Checklist 2023",
        citation="The Biodiversity Committee of Chinese Academy of Sciences (2023). Catalogue of Life China: "
        "2023 Annual Checklist. Beijing, China. Packaged in the R package LPSC 0.8.1.",
        reader="ingest.plants",
        publisher="Species 2000 China / Institute of Botany, Chinese Academy of Sciences",
        retrieved="2023",
        homepage="http://www.sp2000.org.cn/",
    ),
    Source(
        id="cbrl-2020",
        title="China Biodiversity Red List: Higher Plants (2020)",
        origin=_GH + "helixcn/LPSC/459cd72fedeca0d6190ac42a5980c907676cca42/data/dat_CBRL2020_higher_plants.rda",
        files={
            "cbrl-2020/dat_CBRL2020_higher_plants.rda": "a7183ebbfab7a25a98f6de169335f0b377a700f610a722c4ebce48db173d9a97"
        },
        licence="Free with citation",
        citation="Ministry of Ecology and Environment of China & Chinese Academy of Sciences (2020). China "
        "Biodiversity Red List: Higher Plants. Packaged in the R package LPSC 0.8.1.",
        reader="ingest.plants",
        publisher="Ministry of Ecology and Environment of China / Chinese Academy of Sciences",
        retrieved="2020",
    ),
    Source(
        id="avilist-2025",
        title="AviList: The Global Avian Checklist, v2025 (extended)",
        origin=_GH + "dalyanalytics/avilistr/5c1619d29bd75fc65ccbacb6f75ce9459803e8db/data/avilist_2025.rda",
        files={"avilist-2025/avilist_2025.rda": "4b8287a7cc727b3dfdfaaccd6968dd4648bba4ba4196cb409d0a562bcef616a1"},
        licence="CC0-1.0",
        citation="AviList Core Team (2025). AviList: The Global Avian Checklist, v2025. "
        "https://doi.org/10.2173/avilist.v2025",
        reader="ingest.birds",
        publisher="AviList Core Team",
        retrieved="2025",
        homepage="https://www.avilist.org/",
    ),
    Source(
        id="mdd-1.13",
        title="Mammal Diversity Database v1.13 (2024-07-13)",
        origin=_GH + "mammaldiversity/mammaldiversity.github.io/3868584093ff153d25d7ffdff6a109b9bc2f7b4d/"
        "assets/data/MDD.zip",
        files={"mdd-1.13/MDD.zip": "cc35f8effbdabceed3e29a50dcc9a8117518dba2cd432fd72824650417f1f704"},
        licence="CC-BY-4.0",
        citation="Mammal Diversity Database (2024). Mammal Diversity Database (Version 1.13) [Data set]. "
        "Zenodo. https://doi.org/10.5281/zenodo.12738010",
        reader="ingest.mammals",
        publisher="American Society of Mammalogists",
        retrieved="2024-07-13",
        homepage="https://www.mammaldiversity.org/",
    ),
    Source(
        id="pantheria-1.0",
        title="PanTHERIA 1.0 (Jones et al. 2009)",
        origin=_GH + "rdatatoolbox/datarepo/a29af1f5eec81d3c5a948371cadebcd4e27bf1d2/data/pantheria/"
        "PanTHERIA_1-0_WR05_Aug2008.txt",
        files={
            "pantheria-1.0/PanTHERIA_1-0_WR05_Aug2008.txt": "36e64314cae0394a966a63b949504d1975ac5c5629e05e36c1b139b3348f044a"
        },
        licence="Free with citation",
        citation="Jones, K. E. et al. (2009) PanTHERIA: a species-level database of life history, ecology, and "
        "geography of extant and recently extinct mammals. Ecology 90: 2648. Ecological Archives E090-184.",
        reader="ingest.mammals",
        publisher="Ecological Society of America",
        retrieved="2008-08",
    ),
    Source(
        id="amphibiaweb-2025",
        title="AmphibiaWeb species list (export of 2025-01-07)",
        origin=_GH + "gus-nc/AmphibianEveryDay/4241f110865d4e574ceb8795c980081b835987c2/amphib_names.txt",
        files={"amphibiaweb-2025/amphib_names.txt": "8c7039605fbc6aed616d7c9cbdf20f791420956e9db1d19f7a10debfb041868f"},
        licence="Free with attribution to AmphibiaWeb",
        citation="AmphibiaWeb (2025). University of California, Berkeley, CA, USA. https://amphibiaweb.org "
        "(species list exported 2025-01-07).",
        reader="ingest.amphibians",
        publisher="AmphibiaWeb, University of California, Berkeley",
        retrieved="2025-01-07",
        homepage="https://amphibiaweb.org/",
    ),
    Source(
        id="fishbase-2013",
        title="FishBase species summaries (snapshot packaged in rfishbase, 2013)",
        origin=_GH + "ropensci/rfishbase/6a899fa07c57137e54f360697310cdec8ad745a3/data/fishbase.rda",
        files={"fishbase-2013/fishbase.rda": "52a296dbbb4307d0c39a06a16cca99d6a7b9a99fee051ef3fa0395f23a26f396"},
        licence="CC-BY-NC-3.0: names, SpecCode and family may be carried; distribution and habitat text may be "
        "used to select species but is never republished",
        citation="Froese, R. and D. Pauly (eds.) (2013). FishBase. www.fishbase.org (snapshot packaged in rfishbase).",
        reader="ingest.fishes",
        publisher="FishBase Consortium",
        retrieved="2013",
        homepage="https://www.fishbase.se/",
    ),
    Source(
        id="rangebuilder-2022",
        title="rangeBuilder internal data (2022-06-21): range boxes and country lists from IUCN/BirdLife range "
        "maps (2017) and Reptile Database country lists (Nov 2017)",
        origin=_GH + "ptitle/rangeBuilder/5ae48b3d3813ff21ec7c050ec671ebf61122f202/rangeBuilder/R/sysdata.rda",
        files={"rangebuilder-2022/sysdata.rda": "1711041fcca42deb3b64695daec5e6bf94f9ec93e0b46e323ed9690e84b639c3"},
        licence="Derived facts used to select and place species; cite IUCN, BirdLife International and the "
        "Reptile Database",
        citation="Title, P. O. rangeBuilder: occurrence filtering, geographic standardization and generation of "
        "species range polygons (R package, sysdata of 2022-06-21); data from IUCN and BirdLife range "
        "maps (2017) and the Reptile Database (Uetz et al., Nov 2017).",
        reader="ingest.rangebuilder",
        publisher="Pascal Title",
        retrieved="2022-06-21",
    ),
    Source(
        id="letsrept-1.1.1",
        title="letsRept 1.1.1 data: the Reptile Database species list (allReptiles), ReptTraits 2024 and "
        "SquamBase 2024",
        origin=_GH + "joao-svalencar/letsRept/6c3417cdf8f394ea0d3f98596c78cfed9b41c97b/data/",
        files={
            "letsrept-1.1.1/allReptiles.rda": "d6b5d2a91bb4d206c6b4ae67d6dddf0c431fa6c19424af0c9b0223c14cec8dc7",
            "letsrept-1.1.1/letsRept_ReptTraits.rda": "56a489da3f95f384a5e42e5108931c75e497eb785a2f82749eb75384d2e38f95",
            "letsrept-1.1.1/letsRept_SquamBase.rda": "c21f7e65dfe7b037cb553c5c11e41555838e2fc2ccae8998c5051e862da31dbf",
        },
        urls={
            f"letsrept-1.1.1/{name}": _GH + "joao-svalencar/letsRept/6c3417cdf8f394ea0d3f98596c78cfed9b41c97b/"
            f"data/{name}"
            for name in ("allReptiles.rda", "letsRept_ReptTraits.rda", "letsRept_SquamBase.rda")
        },
        licence="package MIT; cite the Reptile Database, ReptTraits (Oskyrko et al. 2024, Scientific Data) and "
        "SquamBase (Meiri 2024, Scientific Data)",
        citation="Vieira-Alencar, J. P. S. & Liedtke, H. C. letsRept: an R package for the Reptile Database "
        "(version 1.1.1, data of commit 6c3417c). Data: Uetz, P. et al. The Reptile Database, "
        "http://www.reptile-database.org; Oskyrko, O. et al. (2024) ReptTraits: a comprehensive database "
        "of ecological traits in reptiles. Scientific Data 11: 243; Meiri, S. (2024) SquamBase - a "
        "database of squamate (Reptilia: Squamata) traits. Scientific Data 11: 1235.",
        reader="ingest.reptiles",
        publisher="Vieira-Alencar & Liedtke (R package letsRept); Reptile Database (Uetz et al.); ReptTraits "
        "(Oskyrko et al. 2024); SquamBase (Meiri 2024)",
        retrieved="2024",
        homepage="https://reptile-database.reptarium.cz/",
    ),
]

_WILDFINDER_BASE = _GH + "rdatatoolbox/datarepo/a29af1f5eec81d3c5a948371cadebcd4e27bf1d2/data/wildfinder/"
_WILDFINDER_FILES = {
    "wildfinder-2006/wildfinder-mammals_list.csv": "3cc0466fe504255710d46b685a0ca533507a5975b1fb4e0fbfabbea097e2494a",
    "wildfinder-2006/wildfinder-ecoregions_list.csv": "29a828b92360e6995fa5ba2443931f2504b0341f65456af0308c5fbec59be77b",
    "wildfinder-2006/wildfinder-ecoregions_species.basin-mammals.csv": "7a21a480dd3f67214b46248ce448dc3ea1312c9f05462b8a0dc61667caffeb1b",
}
SOURCES.append(
    Source(
        id="wildfinder-2006",
        title="WWF WildFinder: species distributions by terrestrial ecoregion, version Jan-06 (mammals)",
        origin=_WILDFINDER_BASE,
        files=dict(_WILDFINDER_FILES),
        # the link file is an extract of the origin's wildfinder-ecoregions_species.csv (the basin rows only): the
        # fetcher downloads the full file and verifies it by its git blob id; the reader filters either to the basin
        alternates={
            "wildfinder-2006/wildfinder-ecoregions_species.basin-mammals.csv": (
                "wildfinder-2006/wildfinder-ecoregions_species.csv",
                "git-blob:9ebb10e9a9d668ce2efa075f11ea963d56282756",
            )
        },
        urls={
            "wildfinder-2006/wildfinder-mammals_list.csv": _WILDFINDER_BASE + "wildfinder-mammals_list.csv",
            "wildfinder-2006/wildfinder-ecoregions_list.csv": _WILDFINDER_BASE + "wildfinder-ecoregions_list.csv",
            "wildfinder-2006/wildfinder-ecoregions_species.basin-mammals.csv": _WILDFINDER_BASE
            + "wildfinder-ecoregions_species.csv",
        },
        licence="CC-BY-4.0 (the packaging repository); cite World Wildlife Fund (2006) WildFinder",
        citation="World Wildlife Fund (2006). WildFinder: Online database of species distributions, ver. Jan-06. "
        "Packaged by the FRB-CESAB/GdR EcoStat workshop data repository (Casajus et al. 2023, "
        "doi:10.5281/zenodo.4262978).",
        reader="ingest.wildfinder",
        publisher="World Wildlife Fund",
        retrieved="2006-01",
        homepage="https://www.worldwildlife.org/pages/wildfinder",
        notes="the species x ecoregion file is a stated extract of its origin: the rows of the 16 basin ecoregions "
        "whose species is a mammal (634 rows, 155 species)",
    )
)

_CN_ANIMALS_URL = (
    _GH + "colordi/datasets/c674a326f29a9ec3019bdcc79b85a7916cde4df5/"
    "%E5%9B%BD%E5%AE%B6%E9%87%8D%E7%82%B9%E4%BF%9D%E6%8A%A4%E9%87%8E%E7%94%9F%E5%8A%A8%E7%89%A9"
    "%E5%90%8D%E5%BD%95.csv"
)
_CN_PLANTS_URL = (
    _GH + "MAGICSCIENTIST/species/9958f0a0bd390a0bfe72d5cea9a5ec878d66da4a/"
    "%E5%9B%BD%E5%AE%B6%E9%87%8D%E7%82%B9%E4%BF%9D%E6%8A%A4%E9%87%8E%E7%94%9F%E6%A4%8D%E7%89%A9"
    "%E5%90%8D%E5%BD%95.docx"
)
SOURCES.append(
    Source(
        id="cn-key-protected-2021",
        title="China's lists of wild animals (2021) and wild plants (2021) under special state protection "
        "(国家重点保护野生动物名录 / 国家重点保护野生植物名录), class I and II",
        origin=_CN_ANIMALS_URL,
        files={
            "cn-key-protected-2021/cn_key_wild_animals_2021.csv": "fe272ad3ee6928ab0b7700778e3d7f4fe39d4978e728308f5ad015458cb59079",
            "cn-key-protected-2021/cn_key_wild_plants_2021.docx": "b2140d6f925a1e6556484a63f22fd01746fc51cf44f55ca9efde9bb1fcddd7cc",
        },
        urls={
            "cn-key-protected-2021/cn_key_wild_animals_2021.csv": _CN_ANIMALS_URL,
            "cn-key-protected-2021/cn_key_wild_plants_2021.docx": _CN_PLANTS_URL,
        },
        licence="Official government announcements (not protected under PRC Copyright Law art. 5); the transcribing "
        "repositories state no licence: the facts (name, class) are carried with attribution to the announcing "
        "agencies",
        citation="National Forestry and Grassland Administration & Ministry of Agriculture and Rural Affairs of the PRC "
        "(2021). List of Wild Animals under Special State Protection (announcement 2021 No. 3) and List of Wild "
        "Plants under Special State Protection (announcement 2021 No. 15). Transcriptions: colordi/datasets "
        "(animals, CSV) and MAGICSCIENTIST/species (plants, DOCX) on GitHub.",
        reader="ingest.protection",
        publisher="National Forestry and Grassland Administration and Ministry of Agriculture and Rural Affairs of the "
        "PRC; transcriptions in public repositories",
        retrieved="2021",
        notes="980 animal species + 8 groups, 496 plant rows (species, genus-, section- and family-wide rows); "
        "genus-wide rows apply to every member species of the graph; 仅限野外种群 = wild populations only",
    )
)
_CITES_URL = (
    _GH + "naturalis/HTS-barcode-checker/313e634c2bbf3e39475ab4963d42511eb50ba92a/resources/"
    "Index_of_CITES_Species_2017-04-21%2017-27.csv.gz"
)
SOURCES.append(
    Source(
        id="cites-2017",
        title="Index of CITES Species (UNEP-WCMC Species+ export of 2017-04-21): CITES Appendix I/II/III listings",
        origin=_CITES_URL,
        files={
            "cites-2017/Index_of_CITES_Species_2017-04-21.csv.gz": "18568e0374601f0e3aa03c8b8178f78069cfed6b565f9017f0985b2d9b351bb4"
        },
        # the staged file name drops the time of day of the origin's
        urls={"cites-2017/Index_of_CITES_Species_2017-04-21.csv.gz": _CITES_URL},
        licence="Repository BSD-style (LICENSE-repository); cite UNEP-WCMC (2017) Species+ / the CITES Secretariat; the "
        "listings are treaty facts",
        citation="UNEP-WCMC (2017). Index of CITES Species, exported from Species+ (https://speciesplus.net) on "
        "2017-04-21. UNEP World Conservation Monitoring Centre, Cambridge, UK, for the CITES Secretariat. Copy "
        "kept in naturalis/HTS-barcode-checker.",
        reader="ingest.protection",
        publisher="UNEP-WCMC and the CITES Secretariat (Species+)",
        retrieved="2017-04-21",
        homepage="https://speciesplus.net/",
        notes="as of 2017-04-21 (after CoP17): listings changed at CoP18, CoP19 and CoP20, so every status drawn from it "
        "says so; population-specific and higher-taxon listings are kept with their scope",
    )
)

BY_ID = {s.id: s for s in SOURCES}


class SourceError(Exception):
    """A source file is missing or is not byte-identical to its registered origin."""


CHECKLIST_READER = "ingest.checklists"
CHECKLIST_REQUIRED = ("file", "title", "origin", "sha256", "licence")
CHECKLIST_OPTIONAL = ("citation", "publisher", "retrieved", "homepage")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def checklist_source_id(archive: Path) -> str:
    """The source id of a checklist archive, declared or given to the build (``--checklist``): the same archive has
    the same id either way (ingest/checklists.py)."""
    return "checklist-" + slug(Path(archive).stem)


def declared_checklists(path: Path | None = None) -> list[Source]:
    """The checklist archives declared in the registry file (``checklists.yml``): one Source each.

    No file, or an empty list, declares none. A malformed entry raises SourceError naming the registry file,
    the entry and what is wrong, before anything is verified or built.
    """
    import yaml

    path = Path(path) if path is not None else config.checklists_file()
    if not path.is_file():
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("checklists") or [], list):
        raise SourceError(f"{path}: expected a list under 'checklists:' (see the example in the file's comments)")
    entries = document.get("checklists") or []
    declared: list[Source] = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: checklist entry {number}"
        if not isinstance(entry, dict):
            raise SourceError(f"{where}: expected a mapping of {', '.join(CHECKLIST_REQUIRED)}")
        # YAML reads dates and digit-only values as other types: every field is text here
        fields = {str(k): "" if v is None else str(v).strip() for k, v in entry.items()}
        where += f" ({fields['file']})" if fields.get("file") else ""
        unknown = sorted(set(fields) - set(CHECKLIST_REQUIRED) - set(CHECKLIST_OPTIONAL))
        if unknown:
            raise SourceError(
                f"{where}: unknown field {', '.join(unknown)} (fields: "
                f"{', '.join(CHECKLIST_REQUIRED + CHECKLIST_OPTIONAL)})"
            )
        empty = [name for name in CHECKLIST_REQUIRED if not fields.get(name)]
        if empty:
            raise SourceError(f"{where}: missing {', '.join(empty)}")
        file = fields["file"]
        if not file.endswith(".zip") or file.startswith("/") or ".." in Path(file).parts:
            raise SourceError(f"{where}: file must be a .zip path inside the sources directory, not {file!r}")
        sha = fields["sha256"].lower()
        if not _SHA256.match(sha):
            raise SourceError(f"{where}: sha256 must be 64 hexadecimal digits, not {fields['sha256']!r}")
        if not fields["origin"].startswith(("https://", "http://")):
            raise SourceError(f"{where}: origin must be an http(s) URL, not {fields['origin']!r}")
        if fields.get("retrieved") and not _DATE.match(fields["retrieved"]):
            raise SourceError(
                f"{where}: retrieved must be a date (2025-03-01), a month (2025-03) or a year, "
                f"not {fields['retrieved']!r}"
            )
        declared.append(
            Source(
                id=checklist_source_id(Path(file)),
                title=fields["title"],
                origin=fields["origin"],
                files={file: sha},
                urls={file: fields["origin"]},
                licence=fields["licence"],
                citation=fields.get("citation")
                or f"{fields['title']}. Darwin Core checklist archive, {fields['origin']}",
                reader=CHECKLIST_READER,
                publisher=fields.get("publisher", ""),
                retrieved=fields.get("retrieved", ""),
                homepage=fields.get("homepage", ""),
                notes=f"declared in {path.name}",
            )
        )
    taken = {s.id for s in SOURCES}
    for source in declared:
        if source.id in taken:
            raise SourceError(
                f"{path}: {next(iter(source.files))} gives the source id {source.id}, which another "
                "source already has: rename the archive"
            )
        taken.add(source.id)
    return declared


def all_sources(path: Path | None = None) -> list[Source]:
    """The registered sources and the declared checklist archives: what the build verifies and fetch fetches."""
    return SOURCES + declared_checklists(path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_blob_id(path: Path) -> str:
    """The id git gives the file's content: sha1 of "blob <size>\\0" followed by the bytes."""
    digest = hashlib.sha1(b"blob %d\0" % Path(path).stat().st_size)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_of(path: Path, spec: str) -> str:
    """The file's digest of the kind ``spec`` names ("git-blob:<id>", "sha256:<hex>" or a bare sha256)."""
    kind = spec.split(":", 1)[0] if ":" in spec else "sha256"
    if kind == "sha256":
        return sha256_of(path)
    if kind == "git-blob":
        return git_blob_id(path)
    raise ValueError(f"unknown digest kind {kind!r} in {spec!r}")


def describe_digest(spec: str) -> str:
    """The digest in words, for messages: "sha256 <hex>" or "git blob id <id>"."""
    kind, _, value = spec.rpartition(":")
    return f"git blob id {value}" if kind == "git-blob" else f"sha256 {value}"


def digest_matches(path: Path, spec: str) -> tuple[bool, str]:
    actual = digest_of(path, spec)
    return actual == spec.rpartition(":")[2], actual


def missing_files(sources_dir: Path, sources: list[Source] | None = None) -> list[str]:
    """Registered files that are in ``sources_dir`` neither as themselves nor as their full file."""
    missing = []
    for source in sources or SOURCES:
        for file in source.files:
            full = source.alternates.get(file)
            if not (sources_dir / file).is_file() and not (full and (sources_dir / full[0]).is_file()):
                missing.append(file)
    return missing


def candidate_dirs(
    explicit: str | Path | None = None, settings: config.Settings | None = None
) -> list[tuple[str, Path]]:
    """Where sources are looked for, in order: --sources, AMURKG_SOURCES, ../shared, the fetch cache."""
    settings = settings if settings is not None else config.Settings.load()
    if explicit:
        return [("--sources", Path(explicit))]
    if settings.sources_dir is not None:
        return [("AMURKG_SOURCES", settings.sources_dir)]
    return [("../shared/data/sources", SHARED_SOURCES), ("fetch cache", settings.fetch_cache)]


def verify(sources_dir: Path, sources: list[Source] | None = None) -> dict[str, dict[str, Path]]:
    """Check every file of every source; return source id -> {file: path}. Raise naming every problem.

    A file with a declared full file (Source.alternates) is accepted as itself (its sha256) or, when it is
    absent, as the full file (its git blob id); ``located`` then maps the file to the full file's path.
    """
    located: dict[str, dict[str, Path]] = {}
    problems = []
    missing = False
    for source in sources or SOURCES:
        located[source.id] = {}
        for file, expected in source.files.items():
            path = sources_dir / file
            full = source.alternates.get(file)
            if not path.is_file() and full and (sources_dir / full[0]).is_file():
                path, spec = sources_dir / full[0], full[1]
            else:
                spec = expected
            if not path.is_file():
                also = f", or its full file {full[0]} with {describe_digest(full[1])}" if full else ""
                problems.append(f"{path}: missing (source {source.id}; expected sha256 {expected}{also})")
                missing = True
                continue
            ok, actual = digest_matches(path, spec)
            if not ok:
                kind, _, value = describe_digest(spec).rpartition(" ")
                problems.append(f"{path}: {kind} mismatch (source {source.id}): expected {value}, actual {actual}")
                continue
            located[source.id][file] = path
    if problems:
        hint = f"\nTo supply missing files: {SUPPLY_HINT}." if missing else ""
        raise SourceError("source verification failed, nothing was built:\n  " + "\n  ".join(problems) + hint)
    return located


def main_file(located: dict[str, dict[str, Path]], source_id: str) -> Path:
    """The single file of a one-file source; the folder of a multi-file one."""
    paths = list(located[source_id].values())
    return paths[0] if len(paths) == 1 else paths[0].parent
