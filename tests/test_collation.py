from vnform.collation import sort_key


def test_vietnamese_letters_sort_in_alphabet_order() -> None:
    words = ["Zalo", "Đà Nẵng", "Dịch vụ", "ân", "ăn", "an", "Bình", "Ơn", "Ô tô", "Ưu", "Uống"]
    assert sorted(words, key=sort_key) == [
        "an", "ăn", "ân", "Bình", "Dịch vụ", "Đà Nẵng", "Ô tô", "Ơn", "Uống", "Ưu", "Zalo",
    ]


def test_tones_sort_after_letters_in_dictionary_order() -> None:
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=sort_key) == ["a", "à", "ả", "ã", "á", "ạ"]


def test_shorter_word_sorts_first_and_case_does_not_matter() -> None:
    assert sorted(["hà nội", "Hà", "ha"], key=sort_key) == ["ha", "Hà", "hà nội"]


def test_decomposed_and_composed_forms_sort_alike() -> None:
    import unicodedata

    word = "Nguyễn"
    assert sort_key(unicodedata.normalize("NFD", word))[:2] == sort_key(word)[:2]
