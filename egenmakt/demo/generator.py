"""Exempelkommun: a synthetic municipality for demos, tests and load tests.

Two halves:
- `build_plan(seed=..., participants=..., as_of=...)` makes plain data from nothing but
  `random.Random(seed)`, so the same arguments give the same people, households, identities, dates and
  caseloads on every machine. It touches no database.
- `save_plan(plan)` writes a plan with bulk inserts, one transaction for the whole municipality, and one
  audit event per participant in the same transaction as the rows.

The distributions are a rough picture of people on försörjningsstöd in a Swedish municipality (many
single adults, a majority born abroad, lower education levels among those born abroad, samordningsnummer
for recent arrivals). They are set here and nothing else depends on them: tune freely.

Every row is marked `synthetic=True`. Personnummer are formally valid (Luhn, sex digit) and made up at
random, so one may by chance equal a real person's number; nothing else about that person is real.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Generic, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, models, transaction
from django.utils import timezone

from egenmakt.accounts.models import Membership, Role, User
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.demo.models import DemoDataset
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import IdentityKind, luhn_check_digit
from egenmakt.lib.names import fold, search_key
from egenmakt.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from egenmakt.people.choices import EducationLevel, Occupation
from egenmakt.people.models import (
    Household,
    HouseholdMember,
    HouseholdRelation,
    Participant,
    ProtectedIdentityGrant,
)

# One shared password for every synthetic account, printed by `manage.py demo_logins`. Demo data only:
# a database with a DemoDataset row holds no real people.
DEMO_PASSWORD: Final = "demo-Egenmakt-2026"  # noqa: S105

T = TypeVar("T")

# Caseloads: open households per handläggare at ekonomiskt bistånd, open participants per konsulent at
# the AME. The personas get a fixed caseload so the demo looks the same at 3 000 and at 100 000 people.
EB_CASELOAD: Final = 50
AME_CASELOAD: Final = 40
PERSONA_EB_CASELOAD: Final = 45
PERSONA_AME_CASELOAD: Final = 40
MIN_EB_POOL: Final = 12
MIN_AME_POOL: Final = 6

PROTECTED_HOUSEHOLD_SHARE: Final = 0.003
LOCAL_RESERVE_SHARE: Final = 0.0003  # a handful: 1 at 3 000 participants, 30 at 100 000
CLOSED_SHARE: Final = 0.15
CASE_HISTORY_DAYS: Final = 3 * 365

# PTS has set aside 070-174 06 05 to 070-174 06 99 for fiction, so a demo number never rings anyone.
_FICTIONAL_MOBILE: Final = "070-174 06 {:02d}"
# Swedish postal codes run from 100 00 to the 98x series (Kiruna), so 999 xx is nobody's address.
_POSTAL_PREFIX: Final = "999"
CITY: Final = "Exempelstad"


def _between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint without its argument checks, several times faster; the build draws a few dozen
    numbers per person."""
    return low + int(rng.random() * (high - low + 1))


def _one_of(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class Weighted(Generic[T]):
    """A weighted choice with the cumulative weights computed once (rng.choices recomputes them)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _weight in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _item, weight in pairs:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> T:
        index = bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.items) - 1)
        return self.items[index]


# --- Organisations and staff -----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    kind: str


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    # Made up and valid per python-stdnum (Luhn). The 999 series is far from the numbers in use:
    # kommuner are 212000-xxxx, Arbetsförmedlingen 202100-2114.
    organisationsnummer: str
    units: tuple[UnitSpec, ...]


ORGANISATIONS: Final = (
    OrganisationSpec(
        "Exempelkommun",
        OrganisationKind.KOMMUN,
        "2129990012",
        (
            UnitSpec("eb", "Ekonomiskt bistånd", UnitKind.EKONOMISKT_BISTAND),
            UnitSpec("ame", "Arbetsmarknadsenheten", UnitKind.ARBETSMARKNADSENHET),
            UnitSpec("it", "Systemförvaltning", UnitKind.OVRIG),
            UnitSpec("namnd", "Arbetsmarknads- och socialnämnden", UnitKind.NAMND),
        ),
    ),
    OrganisationSpec(
        "Samordningsförbundet Exempelbygden",
        OrganisationKind.SAMORDNINGSFORBUND,
        "2229990011",
        (UnitSpec("finsam", "Förbundskansliet", UnitKind.SAMORDNING),),
    ),
    OrganisationSpec(
        "Arbetsförmedlingen",
        OrganisationKind.ARBETSFORMEDLINGEN,
        "2029990013",
        (UnitSpec("af", "Arbetsförmedlingen Exempelbygden", UnitKind.PARTNER),),
    ),
    OrganisationSpec(
        "Försäkringskassan",
        OrganisationKind.FORSAKRINGSKASSAN,
        "2029990021",
        (UnitSpec("fk", "Lokalt försäkringscenter Exempelbygden", UnitKind.PARTNER),),
    ),
    OrganisationSpec(
        "Region Exempel",
        OrganisationKind.REGION,
        "2329990010",
        (UnitSpec("region", "Vårdcentralen Exempelstad", UnitKind.PARTNER),),
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    unit: str  # a UnitSpec key
    role: str
    persona: bool = False
    is_staff: bool = False  # Django admin login

    @property
    def email(self) -> str:
        name = f"{fold(self.first_name)}.{fold(self.last_name)}".replace(" ", "-")
        return f"{name}@exempelkommun.example"


# One login per role, the same in every seed: these are what the README and `demo_logins` show.
PERSONAS: Final = (
    StaffSpec("handlaggare", "Hanna", "Holm", "eb", Role.HANDLAGGARE, persona=True),
    StaffSpec("konsulent", "Kemal", "Aydın", "ame", Role.ARBETSMARKNADSKONSULENT, persona=True),
    StaffSpec("enhetschef", "Eva", "Ekström", "eb", Role.ENHETSCHEF, persona=True),
    StaffSpec("analytiker", "Amina", "Warsame", "finsam", Role.ANALYTIKER, persona=True),
    StaffSpec("forbundschef", "Fredrik", "Lindqvist", "finsam", Role.FORBUNDSCHEF, persona=True),
    StaffSpec("politiker", "Maria", "Sjöberg", "namnd", Role.FORTROENDEVALD, persona=True),
    StaffSpec("partner", "Per", "Palmgren", "af", Role.PARTNER, persona=True),
    StaffSpec("admin", "Ivar", "Nordin", "it", Role.SYSTEMADMINISTRATOR, persona=True, is_staff=True),
)


# --- Origins: names, languages and when people came -----------------------------------------------


@dataclass(frozen=True)
class Origin:
    country: str  # ISO 3166-1 alpha-2
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]  # first language, weighted
    arrivals: tuple[tuple[int, int, float], ...]  # (from year, to year, weight): when people came


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SWEDEN: Final = Origin(
    "SE",
    _names(
        "Erik Lars Karl Anders Johan Per Nils Mikael Jan Hans Lennart Oscar Lucas William Liam Hugo Elias "
        "Alexander Noah Adam Filip Emil Viktor Daniel Johannes Marcus Simon Anton Jonas Fredrik Patrik "
        "Thomas Andreas Niklas Kevin Robin Jesper Sebastian Axel Linus Tobias Mattias Joakim Stefan"
    ),
    _names(
        "Anna Eva Maria Karin Sara Kristina Lena Emma Elin Johanna Malin Sofia Ida Hanna Julia Linnea Alice "
        "Maja Elsa Ella Wilma Ebba Olivia Astrid Saga Moa Matilda Amanda Jessica Camilla Therese Frida "
        "Jenny Lisa Emelie Sandra Linda Josefin Susanne Annika Helena"
    ),
    _names(
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
        "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Lindström "
        "Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson "
        "Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund Danielsson "
        "Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist "
        "Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson"
    ),
    (("sv", 1.0),),
    (),
)

ABROAD: Final = (
    Origin(
        "SY",
        _names(
            "Mohammed Ahmad Ali Omar Khaled Mahmoud Hassan Hussein Yousef Ibrahim Mustafa Abdullah Amer "
            "Bashar Fadi Rami Samer Tarek Walid Karam Adnan Jamal Majd"
        ),
        _names(
            "Fatima Aya Rasha Hiba Nour Amira Rana Lama Reem Layla Sara Maryam Hala Dima Ghada Yasmin Huda "
            "Noura Salma Rawan Zainab"
        ),
        _names(
            "Al-Ahmad Haddad Khalil Hamdan Al-Hassan Darwish Suleiman Al-Khatib Mansour Qassem Hamoud "
            "Al-Ali Youssef Othman Sabbagh Najjar Issa Shaheen Mahmoud Al-Masri Ibrahim Kurdi Hussein Aziz"
        ),
        (("ar", 85), ("ku", 15)),
        ((2012, 2013, 2), (2014, 2016, 10), (2017, 2020, 3), (2021, 2024, 1)),
    ),
    Origin(
        "SO",
        _names(
            "Mohamed Abdi Ahmed Abdirahman Hassan Ali Omar Abdullahi Yusuf Ismail Farah Said Mahad "
            "Abdikarim Hussein Liban Nur Osman Jama Khalid"
        ),
        _names(
            "Fadumo Hodan Amina Faduma Ifrah Sahra Hawa Asha Halima Khadija Nimco Ubah Deeqa Ayan Sagal "
            "Hibo Maryan Shukri Hamdi Ikram"
        ),
        _names(
            "Mohamed Ali Hassan Ahmed Abdi Omar Hussein Farah Warsame Jama Osman Nur Yusuf Ibrahim Mohamud "
            "Abdullahi Aden Said Egal Hersi Dahir Musse"
        ),
        (("so", 1),),
        ((2006, 2010, 3), (2011, 2017, 6), (2018, 2024, 2)),
    ),
    Origin(
        "ER",
        _names(
            "Yonas Dawit Tesfay Samuel Daniel Filmon Mehari Yohannes Habtom Biniam Efrem Kidane Senai Tekle "
            "Aron Robel Simon Mussie Henok Goitom"
        ),
        _names(
            "Helen Senait Selam Mebrat Ruta Saba Winta Luwam Yordanos Hiwet Tsega Rahel Eden Feven Lidia "
            "Almaz Meron Semhar Freweyni Elsa"
        ),
        _names(
            "Tesfamariam Ghebremedhin Haile Tekle Kidane Berhane Woldu Habte Gebremichael Yohannes Asmerom "
            "Tesfay Mehari Abraha Negash Ghirmay Andemariam Zerai Mebrahtu Sium"
        ),
        (("ti", 90), ("ar", 10)),
        ((2008, 2013, 3), (2014, 2016, 6), (2017, 2024, 3)),
    ),
    Origin(
        "AF",
        _names(
            "Mohammad Ahmad Ali Mustafa Hamid Abdul Reza Hossein Javad Morteza Sajad Farhad Najib Jawad "
            "Rahim Karim Habib Ehsan Mahdi Amir Nasir Yama"
        ),
        _names(
            "Fatima Zahra Maryam Masuma Sakina Nargis Farzana Shabnam Marzia Zainab Parwana Nilofar Shakila "
            "Mina Soraya Hakima Laila Roya Tahmina Freshta"
        ),
        _names(
            "Ahmadi Hosseini Mohammadi Rahimi Karimi Rezaei Amiri Haidari Jafari Sultani Noori Azizi Hakimi "
            "Sadat Safi Popal Nazari Stanikzai Wardak Qaderi Mohseni Rasuli"
        ),
        (("prs", 60), ("ps", 30), ("fa", 10)),
        ((2010, 2014, 2), (2015, 2016, 7), (2017, 2024, 3)),
    ),
    Origin(
        "IQ",
        _names(
            "Ali Hussein Ahmed Mohammed Haider Mustafa Abbas Karrar Hassan Omar Saad Zaid Ammar Yasir Falah "
            "Raad Sami Kamal Dilshad Rebwar Karwan Aram"
        ),
        _names(
            "Zainab Fatima Noor Maryam Shahad Ruqaya Huda Sura Iman Hanan Zahraa Rusul Nawal Suaad Shilan "
            "Nasrin Avin Kajal Tara Lana"
        ),
        _names(
            "Al-Saadi Al-Jabouri Al-Obaidi Al-Tamimi Hussein Abbas Kadhim Jassim Hamid Al-Rubaie Salih "
            "Mahmoud Aziz Kareem Ahmed Rashid Faraj Hamad Mustafa Khalaf Taha Said"
        ),
        (("ar", 70), ("ku", 30)),
        ((1995, 2005, 2), (2006, 2010, 5), (2011, 2024, 3)),
    ),
    Origin(
        "UA",
        _names(
            "Oleksandr Andrii Serhii Dmytro Volodymyr Mykola Oleh Yurii Ivan Maksym Vitalii Bohdan Taras "
            "Artem Vasyl Roman Ihor Pavlo"
        ),
        _names(
            "Olena Tetiana Nataliia Iryna Svitlana Oksana Yuliia Anastasiia Kateryna Mariia Liudmyla Halyna "
            "Viktoriia Olha Anna Daria Sofiia Alina"
        ),
        _names(
            "Melnyk Shevchenko Bondarenko Kovalenko Boiko Tkachenko Kravchenko Kovalchuk Koval Oliinyk "
            "Shevchuk Polishchuk Bondar Tkachuk Marchenko Moroz Lysenko Rudenko Savchenko Petrenko"
        ),
        (("uk", 60), ("ru", 40)),
        ((2014, 2021, 1), (2022, 2022, 7), (2023, 2025, 3)),
    ),
    Origin(
        "TR",
        _names(
            "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Murat Emre Yusuf Ömer Burak Kemal Cem Serkan "
            "Fatih Osman Recep Deniz Kerem"
        ),
        _names(
            "Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hülya Özlem Esra Merve Büşra "
            "Ebru Derya Gül Leyla Nur"
        ),
        _names(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan "
            "Çetin Kara Koç Kurt Özkan Şimşek"
        ),
        (("tr", 75), ("ku", 25)),
        ((1990, 2010, 3), (2011, 2024, 3)),
    ),
    Origin(
        "IR",
        _names(
            "Mohammad Ali Reza Hossein Mehdi Amir Hamid Saeed Majid Behzad Dariush Farid Kaveh Babak Omid "
            "Arash Navid Peyman"
        ),
        _names(
            "Maryam Fatemeh Zahra Leila Narges Shirin Parisa Mahsa Nazanin Roya Sara Azadeh Elham Neda "
            "Samira Mina Golnaz Farnaz"
        ),
        _names(
            "Mohammadi Hosseini Ahmadi Rezaei Moradi Karimi Jafari Ghasemi Rahimi Sadeghi Hashemi Kazemi "
            "Tehrani Rostami Shirazi Ebrahimi Najafi Akbari"
        ),
        (("fa", 1),),
        ((1985, 1995, 2), (1996, 2015, 3), (2016, 2024, 2)),
    ),
    Origin(
        "PL",
        _names(
            "Piotr Krzysztof Tomasz Paweł Marcin Michał Grzegorz Łukasz Adam Marek Jakub Kamil Dariusz "
            "Mateusz Rafał Andrzej"
        ),
        _names(
            "Anna Katarzyna Małgorzata Agnieszka Barbara Ewa Magdalena Joanna Monika Aleksandra Natalia "
            "Karolina Justyna Beata Dorota Marta"
        ),
        _names(
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
            "Dąbrowski Kozłowski Mazur Jankowski Krawczyk"
        ),
        (("pl", 1),),
        ((2004, 2012, 5), (2013, 2024, 3)),
    ),
    Origin(
        "BA",
        _names(
            "Amir Edin Emir Adnan Mirza Haris Senad Jasmin Nermin Almir Kenan Dino Elvir Samir Nedim Damir"
        ),
        _names(
            "Amra Lejla Emina Selma Amela Aida Belma Merima Alma Jasmina Sabina Elma Azra Lamija Adna Maida"
        ),
        _names(
            "Hodžić Hadžić Begić Delić Kovačević Mehmedović Hasanović Čolić Husić Ibrahimović Halilović "
            "Alić Omerović Suljić Mujić Salihović"
        ),
        (("bs", 1),),
        ((1992, 1995, 8), (1996, 2010, 2)),
    ),
    Origin(
        "FI",
        _names("Juha Timo Matti Kari Mikko Jari Antti Jukka Pekka Markku Heikki Seppo"),
        _names("Tuula Ritva Pirjo Sirpa Anneli Marja Päivi Leena Riitta Hannele Kaija Eila"),
        _names(
            "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen Lehtonen"
        ),
        (("fi", 1),),
        ((1965, 1980, 6), (1981, 2010, 2)),
    ),
    Origin(
        "ET",
        _names("Abebe Dawit Tesfaye Getachew Solomon Mulugeta Yonas Bereket Girma Kebede"),
        _names("Tigist Hirut Meseret Selamawit Bethlehem Genet Mekdes Hana Aster Almaz"),
        _names("Tadesse Bekele Alemu Kebede Haile Girma Mekonnen Tesfaye Wolde Desta"),
        (("am", 1),),
        ((2005, 2015, 4), (2016, 2024, 3)),
    ),
)
# Among those born abroad: roughly the countries people on försörjningsstöd most often come from.
_ABROAD_WEIGHTS: Final = {
    "SY": 22,
    "SO": 12,
    "AF": 11,
    "IQ": 10,
    "ER": 9,
    "UA": 6,
    "IR": 5,
    "TR": 4,
    "ET": 4,
    "PL": 3,
    "BA": 3,
    "FI": 3,
}
_ABROAD: Final = Weighted([(origin, _ABROAD_WEIGHTS[origin.country]) for origin in ABROAD])
_LANGUAGES: Final = {origin.country: Weighted(origin.languages) for origin in (SWEDEN, *ABROAD)}
_ARRIVALS: Final = {
    origin.country: Weighted([((start, end), weight) for start, end, weight in origin.arrivals])
    for origin in ABROAD
}
# First names children born in Sweden get regardless of their parents' origin.
_SHARED_BOYS: Final = _names("Adam Elias Noah Liam Leo Sami Ilias Yousef Adrian Isak Daniel Jonathan")
_SHARED_GIRLS: Final = _names("Sara Lina Maryam Nora Mira Lea Yasmin Hanna Sofia Alicia Amira Ella")

# --- Households and people -------------------------------------------------------------------------

# Plain strings for the values used in the loops: attribute access on a choices enum goes through the
# enum machinery, which shows in a build of 100 000 people.
_PNR: Final = IdentityKind.PERSONNUMMER.value
_SNR: Final = IdentityKind.SAMORDNINGSNUMMER.value
_LRID: Final = IdentityKind.RESERVNUMMER_LOKALT.value
_SOKANDE: Final = HouseholdRelation.SOKANDE.value
_MEDSOKANDE: Final = HouseholdRelation.MEDSOKANDE.value
_BARN: Final = HouseholdRelation.BARN.value
_EB: Final = CaseType.EKONOMISKT_BISTAND.value
_AME: Final = CaseType.ARBETSMARKNADSINSATS.value
_ARBETSSOKANDE: Final = Occupation.ARBETSSOKANDE.value
_FORALDRALEDIG: Final = Occupation.FORALDRALEDIG.value
_SJUKSKRIVEN: Final = Occupation.SJUKSKRIVEN.value
_ANNAT: Final = Occupation.ANNAT.value
_GYMNASIAL_3: Final = EducationLevel.GYMNASIAL_3.value

_SINGLE, _SINGLE_PARENT, _COUPLE_CHILDREN, _COUPLE = "single", "single_parent", "couple_children", "couple"
_HOUSEHOLD_TYPES: Final = Weighted(
    [(_SINGLE, 55), (_SINGLE_PARENT, 20), (_COUPLE_CHILDREN, 15), (_COUPLE, 10)]
)
_CHILDREN: Final = {
    _SINGLE_PARENT: Weighted([(1, 40), (2, 32), (3, 18), (4, 10)]),
    _COUPLE_CHILDREN: Weighted([(1, 28), (2, 35), (3, 22), (4, 15)]),
}
# The share of households whose applicant was born abroad, by household type: families with children
# are more often newly arrived.
_BORN_ABROAD: Final = {_SINGLE: 0.5, _SINGLE_PARENT: 0.6, _COUPLE_CHILDREN: 0.82, _COUPLE: 0.62}
# Age bands (from, to, weight) of the applicant: many young single adults, parents in their thirties.
_AGES: Final = {
    _SINGLE: Weighted(
        [
            ((18, 19), 5),
            ((20, 24), 18),
            ((25, 29), 14),
            ((30, 34), 11),
            ((35, 39), 10),
            ((40, 44), 9),
            ((45, 49), 9),
            ((50, 54), 9),
            ((55, 59), 8),
            ((60, 64), 6),
            ((65, 72), 1),
        ]
    ),
    _SINGLE_PARENT: Weighted(
        [
            ((20, 24), 8),
            ((25, 29), 16),
            ((30, 34), 22),
            ((35, 39), 22),
            ((40, 44), 17),
            ((45, 49), 10),
            ((50, 55), 5),
        ]
    ),
    _COUPLE_CHILDREN: Weighted(
        [
            ((22, 24), 3),
            ((25, 29), 12),
            ((30, 34), 22),
            ((35, 39), 24),
            ((40, 44), 20),
            ((45, 49), 12),
            ((50, 57), 7),
        ]
    ),
    _COUPLE: Weighted([((20, 29), 20), ((30, 39), 20), ((40, 49), 20), ((50, 59), 25), ((60, 67), 15)]),
}
_APPLICANT_IS_MAN: Final = {_SINGLE: 0.58, _SINGLE_PARENT: 0.15, _COUPLE_CHILDREN: 0.6, _COUPLE: 0.6}

_EDUCATION_SWEDEN: Final = Weighted(
    [
        (EducationLevel.FORGYMNASIAL_KORTARE_AN_9.value, 2),
        (EducationLevel.FORGYMNASIAL_9.value, 27),
        (EducationLevel.GYMNASIAL_HOGST_2.value, 11),
        (EducationLevel.GYMNASIAL_3.value, 43),
        (EducationLevel.EFTERGYMNASIAL_KORTARE_AN_3.value, 9),
        (EducationLevel.EFTERGYMNASIAL_3_ELLER_MER.value, 6),
        (EducationLevel.FORSKARUTBILDNING.value, 0.2),
        (EducationLevel.OKAND.value, 1.8),
    ]
)
_EDUCATION_ABROAD: Final = Weighted(
    [
        (EducationLevel.FORGYMNASIAL_KORTARE_AN_9.value, 28),
        (EducationLevel.FORGYMNASIAL_9.value, 16),
        (EducationLevel.GYMNASIAL_HOGST_2.value, 8),
        (EducationLevel.GYMNASIAL_3.value, 17),
        (EducationLevel.EFTERGYMNASIAL_KORTARE_AN_3.value, 6),
        (EducationLevel.EFTERGYMNASIAL_3_ELLER_MER.value, 10),
        (EducationLevel.FORSKARUTBILDNING.value, 0.5),
        (EducationLevel.OKAND.value, 14.5),
    ]
)
_POST_SECONDARY: Final = frozenset({"5", "6", "7"})
_OCCUPATIONS: Final = Weighted(
    [
        (Occupation.ARBETSSOKANDE.value, 44),
        (Occupation.INSATS.value, 12),
        (Occupation.SJUKSKRIVEN.value, 12),
        (Occupation.STUDIER.value, 10),
        (Occupation.ARBETE.value, 7),
        (Occupation.SUBVENTIONERAT_ARBETE.value, 3),
        (Occupation.FORALDRALEDIG.value, 5),
        (Occupation.ANNAT.value, 5),
        (Occupation.OKANT.value, 2),
    ]
)
# The chance that an adult also has a case at the AME, by what they do now (about 40 % overall).
_AME_CHANCE: Final = {
    Occupation.INSATS.value: 0.9,
    Occupation.SUBVENTIONERAT_ARBETE.value: 0.6,
    Occupation.ARBETSSOKANDE.value: 0.45,
    Occupation.STUDIER.value: 0.3,
    Occupation.OKANT.value: 0.3,
    Occupation.ARBETE.value: 0.2,
    Occupation.ANNAT.value: 0.2,
    Occupation.SJUKSKRIVEN.value: 0.15,
    Occupation.FORALDRALEDIG.value: 0.1,
}
_ADAPTATIONS: Final = (
    "Lättläst information.",
    "Hörslinga vid möten.",
    "Tillgänglig lokal, använder rullstol.",
    "Bildstöd och korta möten.",
    "Skriftlig sammanfattning efter varje möte.",
    "Behöver längre tid vid möten.",
)
_STREETS: Final = _names(
    "Storgatan Kyrkogatan Drottninggatan Björkvägen Skolgatan Järnvägsgatan Parkvägen Ängsvägen "
    "Tallvägen Granvägen Lärkvägen Sjövägen Industrigatan Stationsgatan Villagatan Ekvägen Rosengatan "
    "Solvägen Vallgatan Nygatan Köpmangatan Trädgårdsgatan Hantverkargatan Bäckvägen"
)
_RESERVE_LETTERS: Final = "ABCDEFGHJKLMNPRSTUXYZ"


@dataclass(slots=True)
class PersonSpec:
    """One participant; the field names are Participant's, so saving is a plain copy."""

    identity_type: str
    identity_value: str
    first_name: str
    last_name: str
    birth_date: date
    legal_sex: str
    country_of_birth: str
    arrival_date: date | None
    languages: list[str]
    interpreter_needed: bool = False
    interpreter_language: str = ""
    has_bankid: bool = False
    email: str = ""
    phone: str = ""
    letters_only: bool = False
    education_level: str = ""
    occupation: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    protected_identity: bool = False
    has_disability: bool = False
    has_health_limitation: bool = False
    adaptation_needs: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


PERSON_FIELDS: Final = tuple(PersonSpec.__dataclass_fields__)


@dataclass(slots=True)
class MemberSpec:
    person: PersonSpec
    relation: str
    residence_share: int
    valid_from: date


@dataclass(slots=True)
class CaseSpec:
    member: int  # index into the household's members
    case_type: str
    unit: str  # a UnitSpec key
    opened_on: date
    closed_on: date | None
    responsible: str = ""  # a username

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass(slots=True)
class GrantSpec:
    """Access to a person with skyddade personuppgifter for the staff member responsible for the case."""

    member: int
    username: str
    granted_on: date


@dataclass(slots=True)
class HouseholdSpec:
    members: list[MemberSpec]
    cases: list[CaseSpec] = field(default_factory=list)
    grants: list[GrantSpec] = field(default_factory=list)

    @property
    def created_on(self) -> date:
        return min(case.opened_on for case in self.cases)


@dataclass
class DemoPlan:
    seed: int
    as_of: date
    organisations: tuple[OrganisationSpec, ...]
    staff: list[StaffSpec]
    households: list[HouseholdSpec]

    @property
    def participants(self) -> int:
        return sum(len(household.members) for household in self.households)

    def people(self) -> Iterator[PersonSpec]:
        for household in self.households:
            for member in household.members:
                yield member.person

    def cases(self) -> Iterator[CaseSpec]:
        for household in self.households:
            yield from household.cases


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=_between(rng, 0, (last - first).days))


class _Builder:
    """Holds the random stream and the identities used so far while the households are made."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.used_identities: set[str] = set()
        # Nobody in the plan arrives later than a month before as-of: they have had time to apply.
        self.latest_arrival = as_of - timedelta(days=30)
        self.history_start = as_of - timedelta(days=CASE_HISTORY_DAYS)

    # -- identities --

    def personnummer(self, born: date, sex: str, *, samordningsnummer: bool) -> str:
        """Twelve digits YYYYMMDDNNNC; a samordningsnummer adds 60 to the day. Unique in the plan."""
        rng = self.rng
        day = born.day + (60 if samordningsnummer else 0)
        head = f"{born.year:04d}{born.month:02d}{day:02d}"
        while True:
            # The birth number's last digit is odd for men and even for women; 000 is never used.
            number = 1 + 2 * _between(rng, 0, 499) if sex == "M" else 2 + 2 * _between(rng, 0, 498)
            nine = f"{head[2:]}{number:03d}"
            value = f"{head}{number:03d}{luhn_check_digit(nine)}"
            if value not in self.used_identities:
                self.used_identities.add(value)
                return value

    def local_reserve_number(self, born: date) -> str:
        """Birth date and four characters, the first a letter (Socialstyrelsen's rule: at least one)."""
        rng = self.rng
        while True:
            tail = _one_of(rng, _RESERVE_LETTERS) + "".join(
                _one_of(rng, _RESERVE_LETTERS + "0123456789") for _ in range(3)
            )
            value = f"{born:%Y%m%d}{tail}"
            if value not in self.used_identities:
                self.used_identities.add(value)
                return value

    # -- dates --

    def birth_date(self, age: int) -> date:
        """A birth date that makes the person `age` years old on as-of."""
        latest = add_years(self.as_of, -age)
        earliest = add_years(self.as_of, -age - 1) + timedelta(days=1)
        return _day_between(self.rng, earliest, latest)

    def arrival(self, origin: Origin, born: date) -> date:
        start, end = _ARRIVALS[origin.country].pick(self.rng)
        arrived = _day_between(self.rng, date(start, 1, 1), date(end, 12, 31))
        arrived = min(arrived, self.latest_arrival)
        if arrived <= born:
            # Too young for the usual years: came at some point in their life instead.
            arrived = _day_between(self.rng, born + timedelta(days=1), self.latest_arrival)
        return max(arrived, born)

    # -- households --

    def household(self, room: int) -> HouseholdSpec:
        """A household of at most `room` people: applicant first, then a partner, then children."""
        rng = self.rng
        kind = _HOUSEHOLD_TYPES.pick(rng)
        children = _CHILDREN[kind].pick(rng) if kind in _CHILDREN else 0
        adults = 2 if kind in (_COUPLE, _COUPLE_CHILDREN) else 1
        if adults + children > room:
            children = max(0, room - adults)
            if adults > room:
                adults, kind = 1, _SINGLE
            if children == 0:
                kind = _COUPLE if adults == 2 else _SINGLE

        abroad = rng.random() < _BORN_ABROAD[kind]
        origin = _ABROAD.pick(rng) if abroad else SWEDEN
        # A quarter of those born in Sweden have parents from elsewhere, and their names show it.
        name_origin = origin if abroad or rng.random() > 0.25 else _ABROAD.pick(rng)
        applicant_man = rng.random() < _APPLICANT_IS_MAN[kind]
        low, high = _AGES[kind].pick(rng)
        applicant_age = _between(rng, low, high)

        # (sex, age, origin, born abroad, name origin) per adult; partners are mostly from the same place.
        adult_specs = [("M" if applicant_man else "K", applicant_age, origin, abroad, name_origin)]
        if adults == 2:
            partner_sex = (
                ("K" if applicant_man else "M") if rng.random() < 0.97 else ("M" if applicant_man else "K")
            )
            partner_age = max(18, applicant_age + round(rng.gauss(-1 if applicant_man else 2, 4)))
            draw = rng.random()
            if not abroad:
                partner_origin = SWEDEN if draw < 0.8 else _ABROAD.pick(rng)
            else:
                partner_origin = origin if draw < 0.9 else (SWEDEN if draw < 0.96 else _ABROAD.pick(rng))
            partner_abroad = partner_origin is not SWEDEN
            partner_names = name_origin if partner_origin is SWEDEN and rng.random() < 0.5 else partner_origin
            adult_specs.append((partner_sex, partner_age, partner_origin, partner_abroad, partner_names))

        births = [self.birth_date(age) for _sex, age, *_rest in adult_specs]
        arrivals: list[date | None] = []
        for index, (_sex, _age, adult_origin, adult_abroad, _names) in enumerate(adult_specs):
            if not adult_abroad:
                arrivals.append(None)
            elif index == 1 and arrivals[0] is not None and adult_origin is origin and rng.random() < 0.7:
                # Family reunification: the partner came with the applicant or followed within three years.
                follows = arrivals[0] + timedelta(days=_one_of(rng, (0, 0, _between(rng, 120, 1100))))
                arrivals.append(max(births[1], min(follows, self.latest_arrival)))
            else:
                arrivals.append(self.arrival(adult_origin, births[index]))

        # A samordningsnummer for those not (yet) folkbokförda: Ukrainians under temporary protection and
        # others who came recently. The whole family shares the applicant's situation.
        family_arrival = arrivals[0]
        samordningsnummer = False
        if family_arrival is not None:
            recent = (self.as_of - family_arrival).days < 365
            chance = (
                0.6 if origin.country == "UA" and family_arrival.year >= 2022 else (0.35 if recent else 0.008)
            )
            samordningsnummer = rng.random() < chance

        youngest_parent = min(age for _sex, age, *_rest in adult_specs)
        child_ages = [_between(rng, 0, min(17, youngest_parent - 17)) for _ in range(children)]
        has_baby = any(age < 2 for age in child_ages)

        surname = self.surname(name_origin, adult_specs[0][0])
        address = self.address()
        members: list[MemberSpec] = []
        for index, (sex, _age, adult_origin, _abroad, adult_names) in enumerate(adult_specs):
            if index == 0:
                last = surname
            elif adult_names is name_origin and rng.random() < 0.5:
                last = _gendered_surname(adult_names, surname, sex)  # took the applicant's surname
            else:
                last = self.surname(adult_names, sex)
            person = self.adult(
                sex=sex,
                born=births[index],
                origin=adult_origin,
                names=adult_names,
                last_name=last,
                arrival=arrivals[index],
                samordningsnummer=samordningsnummer and arrivals[index] is not None,
                has_baby=has_baby,
                address=address,
            )
            relation = _SOKANDE if index == 0 else _MEDSOKANDE
            members.append(MemberSpec(person, relation, 100, self.as_of))

        # Children born before the family's last arrival were born abroad and came with it.
        foreign_arrivals = [arrived for arrived in arrivals if arrived is not None]
        all_abroad = len(foreign_arrivals) == len(arrivals)
        came = max(foreign_arrivals) if all_abroad else None
        father_surname = next(
            (member.person.last_name for member in members if member.person.legal_sex == "M"), surname
        )
        child_surname = father_surname if rng.random() < 0.7 else surname
        for age in child_ages:
            sex = "M" if rng.random() < 0.51 else "K"
            born = self.birth_date(age)
            child_abroad = came is not None and born < came
            person = self.child(
                sex=sex,
                born=born,
                origin=origin if child_abroad else SWEDEN,
                names=name_origin,
                last_name=_gendered_surname(name_origin, child_surname, sex),
                arrival=came if child_abroad else None,
                samordningsnummer=samordningsnummer and child_abroad,
                address=address,
            )
            # Växelvis boende: some children live here half of the time.
            share = 50 if rng.random() < (0.12 if kind == _SINGLE_PARENT else 0.04) else 100
            members.append(MemberSpec(person, _BARN, share, self.as_of))

        household = HouseholdSpec(members)
        self.add_cases(household)
        return household

    def add_cases(self, household: HouseholdSpec) -> None:
        """One ekonomiskt bistånd case for the household, and AME cases for some of its adults."""
        rng = self.rng
        # The household applied when its adults were of age and in Sweden.
        adults = [member.person for member in household.members if member.relation != _BARN]
        earliest = max(
            self.history_start,
            *(add_years(person.birth_date, 18) for person in adults),
            *(person.arrival_date for person in adults if person.arrival_date is not None),
        )
        opened = _day_between(rng, earliest, self.as_of)
        closed = _day_between(rng, opened, self.as_of) if rng.random() < CLOSED_SHARE else None
        household.cases.append(CaseSpec(0, _EB, "eb", opened, closed))
        for member in household.members:
            # Children are in the household from the case's start or their birth, whichever is later.
            member.valid_from = max(opened, member.person.birth_date)
        for index, member in enumerate(household.members):
            person = member.person
            if member.relation == _BARN or person.birth_date <= add_years(self.as_of, -65):
                continue  # children, and adults of 65 and over, are not job seekers
            if rng.random() >= _AME_CHANCE[person.occupation]:
                continue
            ame_opened = _day_between(rng, opened, closed or self.as_of)
            if closed is not None:
                ame_closed: date | None = _day_between(rng, ame_opened, closed)
            else:
                ame_closed = _day_between(rng, ame_opened, self.as_of) if rng.random() < 0.05 else None
            household.cases.append(CaseSpec(index, _AME, "ame", ame_opened, ame_closed))

    # -- people --

    def surname(self, origin: Origin, sex: str) -> str:
        return _gendered_surname(origin, _one_of(self.rng, origin.surnames), sex)

    def first_name(self, origin: Origin, sex: str) -> str:
        return _one_of(self.rng, origin.male if sex == "M" else origin.female)

    def address(self) -> tuple[str, str]:
        rng = self.rng
        street = f"{_one_of(rng, _STREETS)} {_between(rng, 1, 60)}"
        if rng.random() < 0.65:
            street += f", lgh {_between(rng, 10, 14)}{_between(rng, 1, 4):02d}"
        return street, f"{_POSTAL_PREFIX} {_between(rng, 10, 99)}"

    def identity(self, born: date, sex: str, *, samordningsnummer: bool) -> tuple[str, str]:
        kind = _SNR if samordningsnummer else _PNR
        return kind, self.personnummer(born, sex, samordningsnummer=samordningsnummer)

    def languages(self, origin: Origin, arrival: date | None, *, adult: bool) -> list[str]:
        rng = self.rng
        first = _LANGUAGES[origin.country].pick(rng)
        languages = [first]
        if first == "uk" and rng.random() < 0.5:
            languages.append("ru")
        if first != "sv":
            years = (self.as_of - arrival).days / 365 if arrival else 20
            if rng.random() < (0.7 if years >= 3 else 0.25 if years >= 1 else 0.05):
                languages.append("sv")
        if adult and rng.random() < (0.4 if first == "sv" else 0.15):
            languages.append("en")
        return languages

    def adult(
        self,
        *,
        sex: str,
        born: date,
        origin: Origin,
        names: Origin,
        last_name: str,
        arrival: date | None,
        samordningsnummer: bool,
        has_baby: bool,
        address: tuple[str, str],
    ) -> PersonSpec:
        rng = self.rng
        identity_type, identity_value = self.identity(born, sex, samordningsnummer=samordningsnummer)
        first_name = self.first_name(names, sex)
        languages = self.languages(origin, arrival, adult=True)
        if origin is SWEDEN and names is not SWEDEN and rng.random() < 0.6:
            # Born here to parents from elsewhere: often speaks their language too.
            languages.append(_LANGUAGES[names.country].pick(rng))
        age = self.as_of.year - born.year - ((self.as_of.month, self.as_of.day) < (born.month, born.day))
        years_here = (self.as_of - arrival).days / 365 if arrival else None

        interpreter = ""
        if years_here is not None and languages[0] != "sv":
            need = 0.75 if years_here < 3 else 0.4 if years_here < 8 else 0.2 if years_here < 15 else 0.08
            if rng.random() < need:
                interpreter = languages[0]

        education = (_EDUCATION_SWEDEN if origin is SWEDEN else _EDUCATION_ABROAD).pick(rng)
        if age < 21 and education in _POST_SECONDARY:
            education = _GYMNASIAL_3
        occupation = _OCCUPATIONS.pick(rng)
        if occupation == _FORALDRALEDIG and not has_baby:
            occupation = _ARBETSSOKANDE
        if age >= 65:
            occupation = _ANNAT

        # BankID needs a personnummer, and takes a while to get after arrival.
        if identity_type != _PNR:
            bankid = False
        elif years_here is None:
            bankid = rng.random() < 0.88
        else:
            bankid = rng.random() < (0.15 if years_here < 1 else 0.45 if years_here < 3 else 0.75)
        email = ""
        if rng.random() < (0.75 if bankid else 0.35):
            local = f"{fold(first_name)}.{fold(last_name)}".replace(" ", "").replace("-", "")
            email = f"{local}{_between(rng, 1, 99)}@example.com"
        phone = _FICTIONAL_MOBILE.format(_between(rng, 5, 99)) if rng.random() < 0.9 else ""
        letters_only = rng.random() < (0.12 if not bankid else 0.01)

        disability = rng.random() < 0.05
        health = rng.random() < (0.7 if occupation == _SJUKSKRIVEN else 0.06)
        adaptation = _one_of(rng, _ADAPTATIONS) if (disability or health) and rng.random() < 0.5 else ""
        return PersonSpec(
            identity_type=identity_type,
            identity_value=identity_value,
            first_name=first_name,
            last_name=last_name,
            birth_date=born,
            legal_sex=sex,
            country_of_birth=origin.country,
            arrival_date=arrival,
            languages=list(dict.fromkeys(languages)),
            interpreter_needed=bool(interpreter),
            interpreter_language=interpreter,
            has_bankid=bankid,
            email=email,
            phone=phone,
            letters_only=letters_only,
            education_level=education,
            occupation=occupation,
            street_address=address[0],
            postal_code=address[1],
            city=CITY,
            has_disability=disability,
            has_health_limitation=health,
            adaptation_needs=adaptation,
        )

    def child(
        self,
        *,
        sex: str,
        born: date,
        origin: Origin,
        names: Origin,
        last_name: str,
        arrival: date | None,
        samordningsnummer: bool,
        address: tuple[str, str],
    ) -> PersonSpec:
        rng = self.rng
        identity_type, identity_value = self.identity(born, sex, samordningsnummer=samordningsnummer)
        if origin is SWEDEN and names is not SWEDEN and rng.random() < 0.25:
            first_name = _one_of(rng, _SHARED_BOYS if sex == "M" else _SHARED_GIRLS)
        else:
            first_name = self.first_name(names, sex)
        languages = self.languages(origin, arrival, adult=False)
        if names is not SWEDEN and origin is SWEDEN:
            languages.append(_LANGUAGES[names.country].pick(rng))
        disability = rng.random() < 0.04
        return PersonSpec(
            identity_type=identity_type,
            identity_value=identity_value,
            first_name=first_name,
            last_name=last_name,
            birth_date=born,
            legal_sex=sex,
            country_of_birth=origin.country,
            arrival_date=arrival,
            languages=list(dict.fromkeys(languages)),
            street_address=address[0],
            postal_code=address[1],
            city=CITY,
            has_disability=disability,
            adaptation_needs=_one_of(rng, _ADAPTATIONS) if disability and rng.random() < 0.5 else "",
        )


def _gendered_surname(origin: Origin, surname: str, sex: str) -> str:
    # Polish surnames in -ski/-cki take -ska/-cka for women.
    if origin.country == "PL" and sex == "K" and surname.endswith(("ski", "cki")):
        return surname[:-1] + "a"
    if origin.country == "PL" and sex == "M" and surname.endswith(("ska", "cka")):
        return surname[:-1] + "i"
    return surname


# --- The plan --------------------------------------------------------------------------------------


def build_plan(*, seed: int, participants: int, as_of: date) -> DemoPlan:
    """Exempelkommun with exactly `participants` people (children included), as it looks on `as_of`."""
    if participants < 1:
        raise ValueError("participants must be at least 1")
    builder = _Builder(seed, as_of)
    households: list[HouseholdSpec] = []
    made = 0
    while made < participants:
        household = builder.household(participants - made)
        households.append(household)
        made += len(household.members)
    rng = builder.rng
    _give_local_reserve_numbers(builder, households, participants)
    _protect_some(rng, households)
    staff = _staff(rng, households)
    _assign_caseloads(rng, households, staff)
    _grant_protected_access(households)
    return DemoPlan(seed, as_of, ORGANISATIONS, staff, households)


def _give_local_reserve_numbers(
    builder: _Builder, households: list[HouseholdSpec], participants: int
) -> None:
    """A handful of adults born abroad whose identity is not settled get a local reserve number."""
    candidates = [
        member.person
        for household in households
        for member in household.members
        if member.relation != _BARN
        and member.person.arrival_date is not None
        and member.person.identity_type == _PNR
    ]
    wanted = min(len(candidates), max(1, round(participants * LOCAL_RESERVE_SHARE)))
    for person in builder.rng.sample(candidates, wanted):
        builder.used_identities.discard(person.identity_value)
        person.identity_type = _LRID
        person.identity_value = builder.local_reserve_number(person.birth_date)
        person.has_bankid = False


def _protect_some(rng: random.Random, households: list[HouseholdSpec]) -> None:
    """Skyddade personuppgifter, household by household: the address is not kept at all."""
    wanted = max(1, round(len(households) * PROTECTED_HOUSEHOLD_SHARE))
    for household in rng.sample(households, min(wanted, len(households))):
        for member in household.members:
            person = member.person
            person.protected_identity = True
            person.street_address = person.postal_code = person.city = ""


def _staff(rng: random.Random, households: list[HouseholdSpec]) -> list[StaffSpec]:
    """The personas and enough synthetic colleagues for realistic caseloads."""
    open_eb = sum(1 for case in _all_cases(households) if case.is_open and case.case_type == _EB)
    open_ame = sum(1 for case in _all_cases(households) if case.is_open and case.case_type == _AME)
    handlaggare = max(MIN_EB_POOL, math.ceil(max(0, open_eb - PERSONA_EB_CASELOAD) / EB_CASELOAD))
    konsulenter = max(MIN_AME_POOL, math.ceil(max(0, open_ame - PERSONA_AME_CASELOAD) / AME_CASELOAD))
    staff = list(PERSONAS)
    for prefix, count, unit, role in (
        ("handlaggare", handlaggare, "eb", Role.HANDLAGGARE),
        ("konsulent", konsulenter, "ame", Role.ARBETSMARKNADSKONSULENT),
    ):
        for number in range(1, count + 1):
            # Colleagues are as varied as the municipality: a third have names from abroad.
            origin = _ABROAD.pick(rng) if rng.random() < 0.33 else SWEDEN
            sex = "M" if rng.random() < 0.3 else "K"  # social services staff are mostly women
            first = _one_of(rng, origin.male if sex == "M" else origin.female)
            last = _gendered_surname(origin, _one_of(rng, origin.surnames), sex)
            staff.append(StaffSpec(f"{prefix}-{number:03d}", first, last, unit, role))
    return staff


def _all_cases(households: list[HouseholdSpec]) -> Iterator[CaseSpec]:
    for household in households:
        yield from household.cases


def _assign_caseloads(rng: random.Random, households: list[HouseholdSpec], staff: list[StaffSpec]) -> None:
    """The personas get a fixed number of open cases (one protected household among them, so the demo
    shows one), the pool shares the rest at random; closed cases go to anyone."""
    for case_type, persona, persona_load in (
        (_EB, "handlaggare", PERSONA_EB_CASELOAD),
        (_AME, "konsulent", PERSONA_AME_CASELOAD),
    ):
        persona_spec = next(spec for spec in PERSONAS if spec.username == persona)
        pool = [s.username for s in staff if s.role == persona_spec.role and not s.persona]
        cases = [
            (household, case)
            for household in households
            for case in household.cases
            if case.case_type == case_type
        ]
        open_cases = [pair for pair in cases if pair[1].is_open]
        # Small demos: at most a quarter of the open cases, so colleagues have some too.
        load = min(persona_load, max(1, len(open_cases) // 4)) if open_cases else 0
        protected = [pair for pair in open_cases if pair[0].members[0].person.protected_identity]
        chosen = {id(pair[1]) for pair in protected[:1]}
        rest = [pair for pair in open_cases if id(pair[1]) not in chosen]
        chosen.update(id(pair[1]) for pair in rng.sample(rest, max(0, min(len(rest), load - len(chosen)))))
        everyone = [persona, *pool]
        for _household, case in cases:
            if id(case) in chosen:
                case.responsible = persona
            elif case.is_open:
                case.responsible = _one_of(rng, pool)
            else:
                case.responsible = _one_of(rng, everyone)


def _grant_protected_access(households: list[HouseholdSpec]) -> None:
    """Everyone responsible for a case of a protected household gets access to the people it concerns
    (an ekonomiskt bistånd case concerns the whole household)."""
    for household in households:
        if not household.members[0].person.protected_identity:
            continue
        for case in household.cases:
            concerned = range(len(household.members)) if case.case_type == _EB else [case.member]
            for member in concerned:
                grant = GrantSpec(member, case.responsible, case.opened_on)
                if all((g.member, g.username) != (grant.member, grant.username) for g in household.grants):
                    household.grants.append(grant)


# --- Saving ----------------------------------------------------------------------------------------


@dataclass
class SeedSummary:
    participants: int = 0
    households: int = 0
    cases: dict[str, int] = field(default_factory=dict)
    open_cases: int = 0
    staff: int = 0
    grants: int = 0


def _batches(households: list[HouseholdSpec], size: int) -> Iterator[list[HouseholdSpec]]:
    """Whole households, about `size` participants per batch."""
    batch: list[HouseholdSpec] = []
    people = 0
    for household in households:
        batch.append(household)
        people += len(household.members)
        if people >= size:
            yield batch
            batch, people = [], 0
    if batch:
        yield batch


class _FastInsert:
    """Many rows into one table: ids reserved first, then COPY (PostgreSQL) or one prepared INSERT run
    with executemany (SQLite).

    bulk_create prepares every value of every row through its field (get_db_prep_save) and, on SQLite,
    splits the rows into INSERTs of 999 parameters: with it, 100 000 participants took 2 min 19 s on a
    busy two-core machine, against about 1 min 10 s this way. Here only dates, timestamps and JSON go through their field; strings,
    numbers and booleans go to the driver as they are. The columns must cover the table, so a new field
    fails here, loudly, rather than being left out.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.pk = meta.pk
        assert self.pk is not None
        fields = [meta.get_field(name) for name in columns]
        expected = {f.attname for f in meta.concrete_fields if f is not self.pk}
        if {f.attname for f in fields if isinstance(f, models.Field)} != expected:
            raise RuntimeError(
                f"{meta.label}: the demo writes {sorted(columns)}, the table has {sorted(expected)}"
            )
        self.converters = [
            (index, field)
            for index, field in enumerate(fields)
            if isinstance(field, (models.DateField, models.JSONField))  # DateTimeField is a DateField
        ]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in [self.pk, *fields] if isinstance(f, models.Field))
        marks = ", ".join(["%s"] * (len(fields) + 1))
        # Identifiers come from the model's own metadata; every value is a parameter.
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"

    def reserve_ids(self, count: int) -> list[int]:
        assert self.pk is not None
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, self.pk.column, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
            # SQLite: transactions start IMMEDIATE (settings), so nobody else inserts until we commit.
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quote(self.pk.column)}), 0) FROM {quote(table)}")  # noqa: S608
            first = int(cursor.fetchone()[0]) + 1
            return list(range(first, first + count))

    def insert(self, rows: list[list[Any]]) -> list[int]:
        """Insert the rows (values in column order, no id); return their ids in the same order."""
        ids = self.reserve_ids(len(rows))
        # The same few thousand dates and language lists recur: convert each once. `connection` is a
        # proxy that looks up the thread's connection on every attribute access, so take it once too.
        database = connections[connection.alias]
        for index, model_field in self.converters:
            converted: dict[Any, Any] = {}
            for row in rows:
                value = row[index]
                key = tuple(value) if isinstance(value, list) else value
                if key not in converted:
                    converted[key] = model_field.get_db_prep_save(value, database)
                row[index] = converted[key]
        for row_id, row in zip(ids, rows, strict=True):
            row.insert(0, row_id)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: one stream instead of a round trip per row (executemany took 5 times as long).
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)
        return ids


_PARTICIPANT_COLUMNS: Final = (
    *PERSON_FIELDS,
    "identity_domain",
    "name_key",
    "synthetic",
    "created_at",
    "updated_at",
)
_HOUSEHOLD_COLUMNS: Final = ("created_at", "synthetic")
_MEMBER_COLUMNS: Final = (
    "household_id",
    "participant_id",
    "relation",
    "residence_share",
    "valid_from",
    "valid_to",
)
_CASE_COLUMNS: Final = (
    "participant_id",
    "household_id",
    "unit_id",
    "case_type",
    "opened_on",
    "closed_on",
    "responsible_id",
    "forsorjningshinder",
    "synthetic",
)


def save_plan(
    plan: DemoPlan, *, batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> SeedSummary:
    """Write the plan. All or nothing: a failed run leaves the database as it was, so it can be re-run.

    `progress` is called with the number of participants saved so far, after each batch.
    """
    summary = SeedSummary()
    with transaction.atomic():
        unit_ids = _save_organisations(plan)
        user_ids = _save_staff(plan, unit_ids)
        summary.staff = len(user_ids)
        writer = _BatchWriter(plan, unit_ids, user_ids, summary)
        for batch in _batches(plan.households, batch_size):
            # The audit trail gets each batch's events in the same transaction as its rows.
            writer.write(batch)
            if progress is not None:
                progress(summary.participants)
        DemoDataset.objects.create(seed=plan.seed, participants=plan.participants)
    return summary


def _save_organisations(plan: DemoPlan) -> dict[str, int]:
    unit_ids: dict[str, int] = {}
    for spec in plan.organisations:
        organisation = Organisation(
            name=spec.name, kind=spec.kind, organisationsnummer=spec.organisationsnummer, synthetic=True
        )
        organisation.full_clean()  # the organisationsnummer is checked the way the admin checks it
        organisation.save()
        for unit_spec in spec.units:
            unit = Unit.objects.create(organisation=organisation, name=unit_spec.name, kind=unit_spec.kind)
            unit_ids[unit_spec.key] = unit.pk
    return unit_ids


def _save_staff(plan: DemoPlan, unit_ids: dict[str, int]) -> dict[str, int]:
    # PBKDF2 is slow on purpose: hash the one demo password once and give every account the hash.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=spec.email,
                password=password,
                is_staff=spec.is_staff,
            )
            for spec in plan.staff
        ],
        batch_size=1000,
    )
    if users and users[0].pk is None:
        raise RuntimeError(
            f"{connection.vendor} returned no ids from bulk_create; SQLite 3.35 or later is needed."
        )
    user_ids = {user.username: user.pk for user in users}
    # Members since long before the oldest case, so every case was handled by a current member.
    since = date(plan.as_of.year - 4, 1, 1)
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=user_ids[spec.username],
                unit_id=unit_ids[spec.unit],
                role=spec.role,
                valid_from=since,
            )
            for spec in plan.staff
        ],
        batch_size=1000,
    )
    return user_ids


class _BatchWriter:
    def __init__(
        self, plan: DemoPlan, unit_ids: dict[str, int], user_ids: dict[str, int], summary: SeedSummary
    ) -> None:
        self.plan = plan
        self.unit_ids = unit_ids
        self.user_ids = user_ids
        self.summary = summary
        self.admin = User.objects.get(pk=user_ids["admin"])
        self.chef = User.objects.get(pk=user_ids["enhetschef"])
        self.participants = _FastInsert(Participant, _PARTICIPANT_COLUMNS)
        self.households = _FastInsert(Household, _HOUSEHOLD_COLUMNS)
        self.members = _FastInsert(HouseholdMember, _MEMBER_COLUMNS)
        self.cases = _FastInsert(Case, _CASE_COLUMNS)
        self.zone = timezone.get_default_timezone()
        self.moments: dict[date, datetime] = {}

    def at_nine(self, day: date) -> datetime:
        """09:00 local time: when the household's first case was registered (cached per day)."""
        moment = self.moments.get(day)
        if moment is None:
            moment = self.moments[day] = datetime.combine(day, time(9, 0), tzinfo=self.zone)
        return moment

    def write(self, batch: list[HouseholdSpec]) -> None:
        participant_rows: list[list[Any]] = []
        household_rows: list[list[Any]] = []
        for household in batch:
            created = self.at_nine(household.created_on)
            household_rows.append([created, True])
            for member in household.members:
                person = member.person
                row = [getattr(person, name) for name in PERSON_FIELDS]
                # Raw inserts skip the services, so the search key is filled as create_participant does.
                row += ["", search_key(person.full_name), True, created, created]
                participant_rows.append(row)
        participant_ids = self.participants.insert(participant_rows)
        household_ids = self.households.insert(household_rows)

        member_rows: list[list[Any]] = []
        case_rows: list[list[Any]] = []
        grants: list[ProtectedIdentityGrant] = []
        first = 0
        for spec, household_id in zip(batch, household_ids, strict=True):
            ids = participant_ids[first : first + len(spec.members)]
            first += len(spec.members)
            for member, participant_id in zip(spec.members, ids, strict=True):
                member_rows.append(
                    [
                        household_id,
                        participant_id,
                        member.relation,
                        member.residence_share,
                        member.valid_from,
                        None,
                    ]
                )
            for case in spec.cases:
                case_rows.append(
                    [
                        ids[case.member],
                        household_id if case.case_type == _EB else None,
                        self.unit_ids[case.unit],
                        case.case_type,
                        case.opened_on,
                        case.closed_on,
                        self.user_ids[case.responsible],
                        "",  # set with the outcome history (demo/outcomes.py)
                        True,
                    ]
                )
                self.summary.cases[case.case_type] = self.summary.cases.get(case.case_type, 0) + 1
                self.summary.open_cases += case.is_open
            grants.extend(
                ProtectedIdentityGrant(
                    participant_id=ids[grant.member],
                    user_id=self.user_ids[grant.username],
                    reason="Ansvarig för hushållets ärende (demodata).",
                    granted_by=self.chef,
                    granted_at=self.at_nine(grant.granted_on),
                )
                for grant in spec.grants
            )
        self.members.insert(member_rows)
        self.cases.insert(case_rows)
        ProtectedIdentityGrant.objects.bulk_create(grants)

        # What create_participant would have logged. The events need only the participant's id, so
        # the instances are loaded-from-database shells: building 100 000 full models costs seconds.
        alias = connection.alias
        audit.record_many(
            actor=self.admin,
            entries=[
                audit.Entry(
                    action="participant.registered",
                    participant=shell,
                    target=shell,
                    category=DataCategory.GRUNDUPPGIFTER,
                    purpose="demodata",
                    detail={"seed": self.plan.seed},
                )
                for shell in (Participant.from_db(alias, ["id"], [pk]) for pk in participant_ids)
            ],
        )
        audit.record_many(
            actor=self.chef,
            entries=[
                audit.Entry(
                    action="protected_identity.granted",
                    participant=Participant.from_db(alias, ["id"], [grant.participant_id]),
                    target=grant,
                    category=DataCategory.GRUNDUPPGIFTER,
                    purpose="behörighet skyddad identitet",
                    detail={"user_id": grant.user_id, "reason": grant.reason},
                )
                for grant in grants
            ],
        )
        self.summary.participants += len(participant_ids)
        self.summary.households += len(household_ids)
        self.summary.grants += len(grants)
