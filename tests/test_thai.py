"""Thai-safe normalisation: marks survive, digits and zero-width characters do not."""
from content.thai import clip_words, loose, normalize, tokens


def test_thai_digits_become_arabic():
    assert normalize("ตัวบ่งชี้ที่ ๑.๒") == "ตัวบ่งชี้ที่ 1.2"


def test_sara_am_and_vowels_are_kept():
    # NFKC would split ำ into ํ + า, and rapidfuzz's default_process would blank the marks
    assert normalize("การดำเนินงาน") == "การดำเนินงาน"
    assert "ดำ" in loose("การดำเนินงาน")


def test_zero_width_spaces_and_repeated_letters_are_folded():
    assert normalize("ตบช.\u200b2.1 ครับบบบ") == "ตบช.2.1 ครับ"


def test_loose_form_ignores_missing_tone_marks():
    assert loose("ตัวบ่งชี้") == loose("ตัวบงชี")


def test_tokens_use_the_dictionary_on_marked_text():
    assert tokens("ใครรับผิดชอบการตรวจประเมินภายใน")[:2] == ("ใคร", "รับผิดชอบ")


def test_text_copied_from_pdfs_folds_to_the_typed_form():
    # pythainlp.util.normalize runs first: two sara e, nikhahit + sara aa, doubled tone marks
    assert normalize("เเผนปฏิบัติการ") == "แผนปฏิบัติการ"
    assert normalize("การดําเนินงาน") == "การดำเนินงาน"
    assert normalize("ก่่อนส่งงาน") == "ก่อนส่งงาน"
    assert loose("การดําเนินงาน เเผน") == loose("การดำเนินงาน แผน")


def test_pdf_forms_find_what_the_typed_form_finds():
    from content.loader import load_content
    from content.search import SearchIndex
    index = SearchIndex.build(load_content())
    typed, pasted = index.search("แผนปฏิบัติการประจำปี"), index.search("เเผนปฏิบัติการประจําปี")
    assert pasted.confident and [h.key for h in pasted.hits] == [h.key for h in typed.hits]


def test_clip_words_cuts_at_a_word_never_inside_one():
    text = "กำหนดมาตรการในการป้องกันความเสี่ยงในแต่ละปัจจัยความเสี่ยง"
    clipped = clip_words(text, 30)
    assert clipped.endswith("…") and len(clipped) <= 31
    assert text.startswith(clipped[:-1]) and clipped[:-1].endswith(("ความเสี่ยง", "ป้องกัน", "ใน"))
    assert clip_words("สั้น", 30) == "สั้น"
