"""crawler.langid gives stock langdetect's answer, bit for bit, only faster."""

from __future__ import annotations

import pytest
from langdetect import DetectorFactory
from langdetect import detect_langs as stock_detect_langs

from crawler.langid import detect_langs

TEXTS = [
    "Le gouvernement sénégalais a annoncé mardi une série de mesures destinées à soutenir les "
    "producteurs d'arachide, dont les récoltes ont souffert de la sécheresse.",
    "« La réserve régionale est au cœur de notre dispositif », a déclaré le commissaire, "
    "qui s'exprimait à l'ouverture des travaux à Abuja. Lu: 97",
    "Le Premier ministre québécois a présenté jeudi son budget : 2,3 G$ pour la santé.",
    "The government announced on Tuesday a new plan to support groundnut farmers in the region.",
    "Die Regierung hat am Dienstag einen neuen Plan für die Bauern der Region angekündigt.",
    "El gobierno anunció el martes un nuevo plan para apoyar a los agricultores de la región.",
    "وقالت الحكومة إن الخطة الجديدة ستدعم المزارعين في المنطقة خلال الموسم المقبل",
    "Hà Nội là thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam",
    "東京は日本の首都です。ひらがなとカタカナ",
    "OTAN RUSSIE COREE DU NORD : LES SOLDATS SONT ARRIVES",
    "Lire aussi https://www.exemple.sn/article-1234.html ou écrire à redaction@exemple.sn",
    "Le ministre a dit : « We will not give up. » Puis il a quitté la salle, applaudi.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_languages_and_probabilities_as_langdetect(text):
    DetectorFactory.seed = 0
    expected = [(found.lang, found.prob) for found in stock_detect_langs(text)]
    assert [(found.lang, found.prob) for found in detect_langs(text, seed=0)] == expected


def test_a_french_sentence_is_french():
    found = detect_langs(TEXTS[0])
    assert found[0].lang == "fr"
    assert found[0].prob > 0.99
