"""Three wire dispatches, each republished by several outlets with the usual edits.

Dispatches 1 and 2 are two different AFP stories on the same topic (Senegal's budget), the
same day, with the same names: they must not merge.
"""

from __future__ import annotations

BUDGET_VOTE = [
    "L'Assemblée nationale du Sénégal a adopté samedi la loi de finances pour 2025, "
    "qui prévoit des dépenses de 7 000 milliards de francs CFA et un déficit ramené "
    "à 3 pour cent du produit intérieur brut d'ici la fin de l'année prochaine.",
    "Le ministre des Finances, Cheikh Diba, a défendu devant les députés un budget "
    "de rigueur destiné à rassurer les bailleurs après la publication d'un audit "
    "sévère sur la dette publique laissée par le précédent gouvernement.",
    "L'opposition a dénoncé des coupes dans les subventions à l'énergie et réclamé "
    "un débat sur le coût de la vie, alors que les prix du riz et de l'huile ont "
    "fortement augmenté dans les marchés de Dakar depuis le début de l'été.",
    "Le texte doit encore être promulgué par le président Bassirou Diomaye Faye, "
    "qui a promis de publier chaque trimestre un rapport détaillé sur l'exécution "
    "des dépenses et sur l'état réel des finances de l'Etat sénégalais.",
]

BUDGET_IMF = [
    "Une mission du Fonds monétaire international est arrivée samedi à Dakar pour "
    "examiner avec les autorités sénégalaises les conclusions de l'audit des "
    "comptes publics, qui a révélé une dette bien plus élevée que celle annoncée.",
    "Le ministre des Finances, Cheikh Diba, doit présenter aux experts du Fonds un "
    "plan de redressement, condition préalable à la reprise des décaissements d'un "
    "programme de 1,8 milliard de dollars suspendu depuis plusieurs mois.",
    "Selon une source proche du dossier, les discussions porteront aussi sur la "
    "restructuration éventuelle de plusieurs emprunts commerciaux contractés par "
    "le précédent gouvernement auprès de banques européennes et régionales.",
    "La mission, conduite par l'économiste Edward Gemayel, doit rester deux semaines "
    "au Sénégal et rencontrer le président Bassirou Diomaye Faye avant de rendre un "
    "premier avis sur la soutenabilité de la dette du pays.",
]

FLOODS = [
    "Des pluies diluviennes ont provoqué dans la nuit de vendredi à samedi des "
    "inondations dans plusieurs quartiers de Niamey, où des centaines de maisons en "
    "banco se sont effondrées, selon un bilan provisoire de la protection civile.",
    "Au moins douze personnes ont trouvé la mort et plus de trois mille familles ont "
    "été déplacées vers des écoles transformées en centres d'accueil, a précisé le "
    "ministère de l'Action humanitaire dans un communiqué lu à la télévision.",
    "Le fleuve Niger a atteint un niveau record à la station hydrologique de la "
    "capitale, menaçant les digues qui protègent les rizières et les jardins "
    "maraîchers installés sur ses rives depuis des générations.",
    "Les autorités ont appelé les habitants des zones basses à quitter leurs "
    "habitations et annoncé le report de la rentrée scolaire de deux semaines dans "
    "les établissements occupés par les sinistrés.",
]


def original(paragraphs: list[str], dateline: str = "DAKAR (AFP) - ") -> str:
    return "\n\n".join([dateline + paragraphs[0], *paragraphs[1:]])


def trimmed(paragraphs: list[str]) -> str:
    """The last paragraph dropped, another dateline."""
    return "\n\n".join(["Dakar, 16 nov (APS) - " + paragraphs[0], *paragraphs[1:-1]])


def with_intro(paragraphs: list[str]) -> str:
    """An added intro sentence and a credit line."""
    intro = "Selon l'Agence France-Presse, voici ce que l'on sait à cette heure de l'affaire."
    return "\n\n".join([intro, *paragraphs, "(Avec AFP)"])


def retyped(paragraphs: list[str]) -> str:
    """Typography changed: apostrophes, non-breaking spaces, figures."""
    text = "\n\n".join(paragraphs)
    return text.replace("'", "’").replace("7 000", "7000").replace("pour cent", "%")
