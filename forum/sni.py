"""SNI 2007 (Swedish standard industrial classification) sections, the level the portal requires."""
from django.utils.translation import gettext_lazy as _

SNI_SECTIONS: list[tuple[str, str]] = [
    ("A", _("A – Agriculture, forestry and fishing")),
    ("B", _("B – Mining and quarrying")),
    ("C", _("C – Manufacturing")),
    ("D", _("D – Electricity, gas, steam and air conditioning supply")),
    ("E", _("E – Water supply, sewerage, waste management")),
    ("F", _("F – Construction")),
    ("G", _("G – Wholesale and retail trade, repair of motor vehicles")),
    ("H", _("H – Transportation and storage")),
    ("I", _("I – Accommodation and food service activities")),
    ("J", _("J – Information and communication")),
    ("K", _("K – Financial and insurance activities")),
    ("L", _("L – Real estate activities")),
    ("M", _("M – Professional, scientific and technical activities")),
    ("N", _("N – Administrative and support service activities")),
    ("O", _("O – Public administration and defence")),
    ("P", _("P – Education")),
    ("Q", _("Q – Human health and social work activities")),
    ("R", _("R – Arts, entertainment and recreation")),
    ("S", _("S – Other service activities")),
    ("T", _("T – Activities of households as employers")),
    ("U", _("U – Activities of extraterritorial organisations")),
]
