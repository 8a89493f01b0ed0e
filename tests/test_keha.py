"""The KEHA-keskus 2025 agreement, Markdown and PDF: goals are headings, targets `Tavoite YYYY`.

Every `Tavoite YYYY` paragraph of the document, listed by hand under the heading it stands under.
"""

from __future__ import annotations

TARGETS = [
    ("Aluehallintouudistuksen vaatimat muutokset on toteutettu suunnitellusti", [2025, 2026]),
    ("Muutoksen vaatimasta yt-menettelystä on huolehdittu", [2025]),
    ("Henkilöstöä on tuettu muutoksessa", [2025]),
    ("Virastot ovat siirtyneet valtion yhteisiin työympäristöihin", [2025, 2026]),
    ("Digitalisaatio sujuvan aluehallinnon mahdollistajana -kehityskokonaisuus on käynnistetty", [2025]),
    ("Elinvoimakeskusten sekä lupa- ja valvontaviraston ICT-ratkaisut ja verkkopalvelut", [2025]),
    (
        "Digitaalisten alustojen kehitys vastaa laajentuvia tarpeita, muuttuvaa toimintaympäristöä sekä tietoturvan ja "
        "-suojan vaatimuksia",
        [2025],
    ),
    (
        "Y-alustaa on kehitetty siten, että se kykenee nopeammin ja luotettavammin suoriutumaan lisääntyvistä "
        "digitaalisista tehtävistään.",
        [2025],
    ),
    (
        "Ympäristötietojen saatavuutta kehitetään, erityisesti laajentamalla MYLLY-tietoalustan käyttöä "
        "ympäristöasioissa ja hyödyntämällä keskitettyä integraatiopalvelua",
        [2025],
    ),
    ("Toteutettu selvitys valtionavustusjärjestelmän käyttöönotosta", [2025]),
    ("Menojen käsittely on tehokasta ja pitkälle automatisoitua", [2025]),
    ("Tulojen käsittelyn kokonaisprosessi on tehokas ja sujuva", [2025]),
    ("Budjetointi, talousraportointi ja taloudellisuuslaskenta tukevat ohjausta ja johtamista", [2025]),
    ("Kirjanpidon prosessi on tehokas ja yhtenäisiä toimintatapoja on edistetty", [2025]),
    ("Hankintaosaaminen on parantunut", [2025]),
    ("Hankinnoissa käytetään sähköistä prosessia", [2025]),
    ("Hankinnoista saadaan ajantasaista tietoa", [2025]),
    ("Vastuullisuus huomioidaan hankinnoissa", [2025]),
    ("Hallitusohjelman kirjaukset on huomioitu hankinnoissa", [2025]),
    ("Korvausten ja valtionaputehtävien hoito on kustannustehokasta ja laadukasta", [2025, 2026]),
    ("Kyberturvallisuuden valvontakyky, suojaustoimet ja tiedonvaihto vastaavat vallitsevaa uhkatilannekuvaa", [2025]),
    ("KEHA-keskus tukee ELY-keskuksia kriittisten tehtävien hoidossa poikkeusoloissa", [2025]),
    ("KEHA-keskuksen valmiussuunnitelma on ajan tasalla", [2025]),
    ("Varaudumme kyber- ja tietoturvaan ja varmistamme tiedonhallinnan ajantasaisuuden", [2025]),
    ("Digitalisaation kehittämismalli on käytössä ja käymme jatkuvaa vuoropuhelua asiakkaiden kanssa", [2025]),
    ("Kustannuksia optimoidaan", [2025]),
    ("Tekoälyn käyttöä on laajennettu", [2025]),
    ("Tietoalusta Myllyä on kehitetty asiakaslähtöisesti", [2025]),
    (
        "KEHA-keskuksen ja asiakasvirastojen tietotarpeet on kartoitettu ja tiedonhallinnan prosessit ovat selkeät",
        [2025, 2026, 2027],
    ),
    ("KEHA-keskuksen tiedolla johtamista kehitetään", [2025, 2026, 2027]),
    ("Tiedon jakaminen ja osaamisen kehittäminen ja tiedonlukutaito", [2025, 2026, 2027]),
    ("Toiminnallisen yhdenvertaisuussuunnittelun laatua on kehitetty", [2025]),
    ("Asiakaspalvelutyytyväisyys", [2025, 2026]),
    ("KEHA-keskuksen sidosryhmien kokonaistyytyväisyys", [2025, 2026]),
    ("KEHA-keskuksen ulkoinen ja sisäinen viestintä on selkeää ja ajantasaista", [2025]),
    (
        "Ylläpidämme toimintakykyämme muutoksessa kiinnittämällä huomiota henkilöstöme työttyväisyyteen ja "
        "työhyvinvointiin sekä johtamiseen",
        [2025],
    ),
]


def test_every_target_under_its_goal(keha):
    got = [(g.title, [t.year for t in g.targets]) for g in keha.goals if g.targets]
    assert got == TARGETS
    assert sum(len(years) for _, years in TARGETS) == 47


def _goal(agreement, title, with_targets=True):
    return next(g for g in agreement.goals if g.title == title and bool(g.targets) == with_targets)


def _title(agreement, goal_id):
    return next(g.title for g in agreement.goals if g.id == goal_id)


def test_goal_hierarchy(keha):
    leaf = _goal(keha, "Aluehallintouudistuksen vaatimat muutokset on toteutettu suunnitellusti")
    parent = _title(keha, leaf.parent_id)
    assert parent == "Elinvoimakeskusten sekä lupa- ja valvontaviraston valmistelu on edennyt suunnitellusti"
    group = next(g for g in keha.goals if g.id == leaf.parent_id)
    assert _title(keha, group.parent_id) == "Tuemme aluehallinnon uudistumista"
    menojen = _goal(keha, "Menojen käsittely on tehokasta ja pitkälle automatisoitua")
    assert _title(keha, menojen.parent_id) == "Taloushallinto toimii tehokkaasti ja asiakaslähtöisesti"
    # A bold "## **…**" heading after goals of "Digitalisoidut ja sujuvat palvelut" is their sibling.
    y_alusta = _goal(keha, TARGETS[7][0])
    assert _title(keha, y_alusta.parent_id) == "Digitalisoidut ja sujuvat palvelut"
    # The same title as grouping heading and as goal: two goals, the second under the first.
    korvaus = _goal(keha, "Korvausten ja valtionaputehtävien hoito on kustannustehokasta ja laadukasta")
    assert _title(keha, korvaus.parent_id) == korvaus.title and korvaus.parent_id != korvaus.id
    assert all(g.section_id in ("s-3", "s-4") for g in keha.goals)


def test_target_texts(keha):
    first = _goal(keha, TARGETS[0][0])
    assert [t.text for t in first.targets] == [
        "KEHA-keskus on toteuttanut uudistuksen vaatimat muutokset hallintotehtäviin, tietojärjestelmiin ja "
        "-varantoihin. On tehty suunnitelma siirtymäajalle digipalveluiden tuottamiseksi.",
        "KEHA-keskus on toteuttanut LVV:lle siirtymäajan mukaista digipalvelujen tuottamista koskevan suunnitelman "
        "mukaiset toimenpiteet.",
    ]
    korvaus = _goal(keha, "Korvausten ja valtionaputehtävien hoito on kustannustehokasta ja laadukasta")
    t2026 = korvaus.targets[1]
    assert t2026.text.endswith(
        "KEHA-keskuksen maksatuksen asiakkaista 90 % on ohjautunut palveluportaaliimme "
        "käyttäjiksi, sähköpostiasiointia on vähennetty merkittävästi."
    )
    assert [(q.value, q.unit, q.text) for q in t2026.numbers] == [(90.0, "%", "90 %")]


def test_target_levels(keha):
    people = _goal(keha, TARGETS[-1][0])
    (target,) = people.targets
    assert target.year == 2025
    assert target.text.startswith("Edistämme ja ylläpidämme johtamisen ja esihenkilötyön laatua")
    assert target.text.endswith(
        "Käynnistämme Pulssi-kyselyjen tuottaman informaation pohjalta tarvittavat kehittämistoimet."
    )
    assert target.satisfactory == (
        "Esihenkilöiden osaamiskeskustelut on käyty jokaisen esihenkilön kanssa ja kehittämistavoitteet on sovittu "
        "seurantoiheen. Johto on linjannut ja toimeenpannut toiminnan läpinäkyvyyttä, yhteisöllisyyttä ja "
        "osallistumismahdollisuuksia edistävät uudet toimintatavat."
    )
    equality = _goal(keha, "Toiminnallisen yhdenvertaisuussuunnittelun laatua on kehitetty")
    assert equality.targets[0].satisfactory.startswith("Johto on linjannut yhdenvertaisuusteemojen toimeenpanon")
    assert "Tyydyttävä" not in equality.targets[0].text


def test_metadata(keha):
    meta = keha.agreement
    assert meta.title == (
        "Ohjaavien ministeriöiden ja KEHA-keskuksen välinen tulossopimus (yleishallinto) vuodelle 2025"
    )
    assert meta.agency == "KEHA-keskus"
    assert meta.ministries == ["Työ- ja elinkeinoministeriö"]
    assert (meta.period.start, meta.period.end) == (2025, 2025)
    assert meta.signed_on.isoformat() == "2025-01-27"
    assert meta.reference_numbers == []
    assert "no diary number (e.g. VN/17411/2023) found on the first page" in keha.warnings
    assert [(s.name, s.title, s.organization) for s in meta.signatories] == [
        ("Tiina Korhonen", "ylijohtaja", "Työ- ja elinkeinoministeriö"),
        ("Anu Jänkälä", "neuvotteleva virkamies", "Työ- ja elinkeinoministeriö"),
        ("Heikki Heikkilä", "johtaja", "KEHA-keskus"),
        ("Jouko Nieminen", "strategiajohtaja", "KEHA-keskus"),
    ]
    assert meta.series_id == "keha-keskus-yleishallinto"


def test_contents_are_not_sections(keha):
    titles = [(s.number, s.title) for s in keha.sections if s.number]
    assert titles == [
        ("1", "Strategiset linjaukset"),
        ("1.1", "Hallitusohjelma"),
        ("1.2", "Aluehallintovirastojen ja ELY-keskusten strategia-asiakirja"),
        ("1.3", "KEHA-keskuksen strategia"),
        ("2", "Yhteiskunnallinen vaikuttavuus"),
        ("3", "Tulostavoitteet"),
        ("4", "Voimavarojen hallinta"),
        ("5", "Voimassaolo, seuranta ja allekirjoitukset"),
    ]
    assert not any(s.title.startswith("Sisällys") for s in keha.sections)
    assert keha.indicators == []
