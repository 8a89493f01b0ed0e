"""Version pairs made from the fixtures: each edit is one change a revision makes, and says which.

``tests/test_diff.py`` applies them to the real agreements and asserts that the diff reports
exactly these changes and nothing else. ``tests/tools/make_variants.py --revision`` lays out the
revised Valtori text as a PDF (``tests/fixtures/versions/``), so the same changes are also found
between two PDFs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    old: str
    new: str
    why: str


def apply(text: str, edits: list[Edit]) -> str:
    """Apply the edits in order; each ``old`` must stand exactly once in the text."""
    for edit in edits:
        count = text.count(edit.old)
        if count != 1:
            raise AssertionError(f"edit {edit.why!r}: {edit.old[:60]!r} found {count} times")
        text = text.replace(edit.old, edit.new)
    return text


T4_OLD = """Taulukko 4. Tuottavuuden tavoitteet

mittari	Toteuma 2022	Arvio 2023	Tavoite 2024	Alustava tavoite 2025	Alustava tavoite 2026	Alustava tavoite 2027	talous-arvio-tavoite
Tuottavuusindeksi, suorite per työpanos	100	103	103	104	105	106	TAE
Laskutusaste, % ¹	72	72	72	73	74	75	-
Yksikköhintojen kehitys, (2023=100) ²	97,1	100	98,9	97,6	96,9	96,8	-
- Tori-yksikköhintojen kehitys (2023=100)	100,3	100	98,5	96,5	96,1	96	-
- Tuve-yksikköhintojen kehitys (2023=100)	90,5	100	100	100	100	100	-
"""

# The revision a year on shifts the columns: 2022 drops out, the 2023 estimate becomes the actual,
# 2024 is now an estimate and the preliminary 2025 target becomes the target.
T4_NEW = """Taulukko 4. Tuottavuuden tavoitteet

mittari	Toteuma 2023	Arvio 2024	Tavoite 2025	Alustava tavoite 2026	Alustava tavoite 2027	talous-arvio-tavoite
Tuottavuusindeksi, suorite per työpanos	102	103	104	105	106	TAE
Laskutusaste, % ¹	71	72	73	74	75	-
Yksikköhintojen kehitys, (2023=100) ²	100	98,9	97,6	96,9	96,8	-
- Tori-yksikköhintojen kehitys (2023=100)	100	98,5	96,5	96,1	96	-
- Tuve-yksikköhintojen kehitys (2023=100)	100	100	100	100	100	-
"""

VALTORI_REVISION: list[Edit] = [
    Edit("13.12.2023", "16.12.2024", "signed on another date"),
    Edit("Valtori/2192/01 07 00/2023", "Valtori/2310/01 07 00/2024", "the agency's diary number"),
    Edit(
        "\t3. Valtorin rooli hallitusohjelmataavoitteiden",
        "\t3. Valtorin rooli hallitusohjelmatavoitteiden",
        "goal 3's typo fixed: renamed",
    ),
    Edit(T4_OLD, T4_NEW, "Taulukko 4's year columns shift by one year"),
    Edit(
        "Toiminnan kokonaiskustannukset, 1000 euroa	419 078	454 652	465 668	513 533	525 419	542 080	-",
        "Toiminnan kokonaiskustannukset, 1000 euroa	419 078	454 652	465 668	509 870	525 419	542 080	-",
        "a preliminary 2025 value revised",
    ),
    Edit(
        "Välillisten kustannusten osuus kokonaiskuluista, %	12,1	12,4	12,3	12,2	12,2	12,2	-\n",
        "",
        "an indicator dropped",
    ),
    Edit(
        "Tukipyyntöjen SLA, %	96	96	93	93,5	93,5	93,5	-",
        "Tukipyyntöjen SLA, %	96	96	93	93,5	94	93,5	-",
        "the 2026 SLA target raised",
    ),
    Edit(
        "Automaattisten muodostettujen myyntilaskujen osuus, % ⁶	60	75	80	85	90	95	-",
        "Automaattisesti muodostettujen myyntilaskujen osuus, % ⁶	60	75	80	88	90	95	-",
        "an indicator's name corrected (renamed) and its 2025 value raised",
    ),
    Edit(
        "2027	Kaikki asiakasreklaamatiot käsitelty johtoryhmässä prosessin mukaisesti (100%)",
        "2027	-",
        "a goal's 2027 target dropped",
    ),
    Edit(
        "korjaustoimenpiteet on toteutettu 50 %", "korjaustoimenpiteet on toteutettu 60 %", "a target's number raised"
    ),
    Edit(
        "2026	Ko. vuonna valmistuvaksi määritetyistä projekteista 80% valmistuu aikataulussa",
        "2026	Ko. vuonna valmistuvaksi määritetyistä projekteista 78% valmistuu sovitussa aikataulussa",
        "a target reworded, its number lowered",
    ),
    Edit(
        "2025	Valtorin vastuulla oleva osuus yhteisen tietojenkäsittelyratkaisun rakentamisesta toteutettu\n2026	-",
        "2025	Valtorin vastuulla oleva osuus yhteisen tietojenkäsittelyratkaisun rakentamisesta toteutettu\n"
        "2026	Yhteinen tietojenkäsittelyratkaisu on otettu käyttöön",
        "a 2026 target added to Hanke 4",
    ),
    Edit(
        "Sairauspoissaolot, työpäivää/htv	9,4	7,0	8,0	8,0	8,0	8,0	TAE\n",
        "Sairauspoissaolot, työpäivää/htv	9,4	7,0	8,0	8,0	8,0	8,0	TAE\n"
        "Henkilöstön vaihtuvuus, %	8,1	7,5	7,0	7,0	6,5	6,5	-\n",
        "an indicator added",
    ),
    Edit("Taulukko 13. Henkilöstövoimavarat", "Taulukko 13. Henkilöstövoimavarojen kehitys", "a table's caption"),
    Edit("3.2.3 Hankkeet", "3.2.3 Keskeiset hankkeet", "a section's title"),
]

KEHA_REVISION: list[Edit] = [
    Edit("27.1.2025", "12.6.2025", "signed on another date"),
    Edit(
        "##### Virastot ovat siirtyneet valtion yhteisiin työympäristöihin",
        "##### Virastot ovat siirtyneet valtion yhteiseen työympäristöön",
        "a goal's title in another case: renamed",
    ),
    Edit(
        "Tavoite 2025 YT-prosessi on toteutettu (valtakunnallinen yt-neuvottelu ja virastokohtaiset yt-neuvottelut).\n",
        "Tavoite 2025 YT-prosessi on toteutettu (valtakunnallinen yt-neuvottelu ja virastokohtaiset yt-neuvottelut).\n\n"
        "Tavoite 2026 Muutoksen jälkeiset yhteistoimintamenettelyt on vakiinnutettu.\n",
        "a 2026 target added",
    ),
    Edit(
        "Tavoite 2025 Menojen käsittelyä on sähköistetty ja menojen käsittelyn automatisointia on lisätty.",
        "Tavoite 2025 Menojen käsittely on sähköistetty kokonaan ja menojen käsittelyn automatisointia on lisätty.",
        "a target reworded",
    ),
    Edit(
        "### **Kirjanpidon prosessi on tehokas ja yhtenäisiä toimintatapoja on edistetty**\n\n"
        "Tavoite 2025 Kirjanpidon prosessia on tehostettu ja automaatiikkaa edistetty muun muassa jakopalkkojen "
        "sekä arvonalisäverokirjausten oikeellisuuden tarkastuksissa.\n\n",
        "",
        "a goal dropped with its target",
    ),
    Edit(
        "Tavoite 2025 Hankintoja tukevaa järjestelmäkokonaisuutta käytetään laajasti ELY-keskusten ja KEHA-keskuksen "
        "hankinnoissa ja projekteissa.\n",
        "Tavoite 2025 Hankintoja tukevaa järjestelmäkokonaisuutta käytetään laajasti ELY-keskusten ja KEHA-keskuksen "
        "hankinnoissa ja projekteissa.\n\n"
        "### **Hankintojen vastuullisuutta on parannettu**\n\n"
        "Tavoite 2025 Vastuullisuuskriteereitä on käytetty 60 %:ssa hankinnoista.\n",
        "a goal added with its target",
    ),
    Edit("maksatuksen asiakkaista 90 % on", "maksatuksen asiakkaista 95 % on", "a target's number raised"),
]
