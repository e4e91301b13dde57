from bialign.consistency import contradicts, numbers


def test_language_switch_links_contradict() -> None:
    assert contradicts("Read in English", "Leer en español")
    assert not contradicts("Read in English", "Leer en inglés")


def test_numbers_must_share_a_value() -> None:
    assert not contradicts("Posted on 05/02/2026 at 19:14", "Publicado el 05/02/2026 a las 19:14")
    assert contradicts("Posted on 05/02/2026", "Publicado el 06/03/2025")
    assert not contradicts("It rose 2.5 percent.", "Subió un 2,5 por ciento.")
    assert not contradicts("It rose ten percent.", "Subió un 10 por ciento.")
    assert numbers("1,000 and 007") == {"1000", "7"}


def test_space_grouped_thousands_are_one_number() -> None:
    assert numbers("costó 4 700 000 HUF") == {"4700000"}
    assert not contradicts("NFÜ spent 4,700,000 forints", "La ANF gastó 4 700 000 HUF")
    # A year next to a count is not glued to it: only groups of exactly three digits.
    assert numbers("en 2010 12 personas") == {"2010", "12"}


def test_language_names_must_share_one_not_match_exactly() -> None:
    en = "A British programmer earns more than a French one."
    es = "Un programador británico cobra más que uno francés y que uno español."
    assert not contradicts(en, es)
    assert contradicts("Read in English", "Leer en español")


def test_times_and_dates_in_either_notation_match_and_others_do_not() -> None:
    """Times and dates as two languages write them are one quantity: leading zeros, a
    point or a colon in a time, day and month in either order; another time or date is
    still a contradiction."""
    same = [
        ("The plane landed at 07:19.", "El avión aterrizó a las 7:19."),
        ("The report came at 12.00 GMT.", "El informe llegó a las 12:00 GMT."),
        ("At 1200 GMT the vehicle was removed.", "A las 12:00 GMT se retiró el vehículo."),
        ("Posted on 05/02/2026", "Publicado el 5/2/2026"),
        ("Due on 3/14/2026", "Vence el 14/3/2026"),
    ]
    for en, es in same:
        assert not contradicts(en, es), (en, es)
    assert contradicts("Posted on 05/02/2026", "Publicado el 06/02/2026")
    assert contradicts("The train left at 19:14.", "El tren salió a las 19:15.")
