/*
 * The PDF reader's two passes over every glyph, in C: the hidden-text judge (_pdf.py, class
 * _PageJudge) and the word-gap pass (_pdf.py, _page_characters).
 *
 * Kaggle-style PDFs set every glyph as a page object of its own, thousands per page. The judge
 * asks PDFium four to six questions about each object and the word-gap pass one about each
 * character; asked from Python through ctypes, those calls and the arithmetic around them were
 * about two thirds of the PDF reader's time. Here they are plain C calls. The results are the
 * Python passes', rule for rule: tests/screener/test_documents_pdf.py checks that both give the
 * same hidden objects and the same text on crafted and real PDFs. _pdf.py runs the Python passes
 * where this module was not built.
 *
 * PDFium's functions are not linked: _pdf.py hands over their addresses in pypdfium2's loaded
 * library once (bind), so this module builds without PDFium's headers or library.
 *
 *   bind(addresses, thresholds) -> None
 *       PDFium's function addresses in the order of `struct pdfium`; the thresholds
 *       (tiny font, background tolerance, off-page margin, band height, tallest banded page,
 *       deepest form, word gap share, letter-spaced share)
 *   hidden_objects(page, left, bottom, right, top) -> dict[int, int]
 *       text objects a reader cannot see, by handle, with the reason's code (REASON_* below)
 *   word_gaps(textpage, text) -> list[int]
 *       indices of the characters of `text` (the text page's, one per character) that a word
 *       gap precedes, ascending
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The judge's thresholds, handed over by bind from _pdf.py (its comments say why each has its
   value), in this order. */
static double TINY_FONT_PT, BACKGROUND_TOLERANCE, OFF_PAGE_MARGIN, BAND_PT, MAX_BANDED_PT;
static int MAX_FORM_DEPTH;
static double WORD_GAP_SHARE, LETTER_SPACED_SHARE;

/* PDFium's constants (fpdf_edit.h); _pdf.py checks them against pypdfium2's at bind. */
#define OBJ_TEXT 1
#define OBJ_PATH 2
#define OBJ_IMAGE 3
#define OBJ_SHADING 4
#define OBJ_FORM 5
#define MODE_FILL 0
#define MODE_FILL_STROKE 2
#define MODE_INVISIBLE 3
#define MODE_FILL_CLIP 4
#define MODE_FILL_STROKE_CLIP 6
#define MODE_CLIP 7
#define FILLMODE_NONE 0

/* Reason codes, mapped back to HiddenReason by _pdf.py. */
#define REASON_INVISIBLE_RENDER 1
#define REASON_TINY_FONT 2
#define REASON_OFF_PAGE 3
#define REASON_BACKGROUND_COLOUR 4

typedef void *handle;
typedef struct {
    float a, b, c, d, e, f;
} fs_matrix;
typedef struct {
    float left, top, right, bottom;
} fs_rectf;

static struct pdfium {
    int (*count_objects)(handle page);
    handle (*get_object)(handle page, int index);
    int (*object_type)(handle obj);
    int (*render_mode)(handle obj);
    int (*font_size)(handle obj, float *size);
    int (*object_matrix)(handle obj, fs_matrix *matrix);
    int (*fill_colour)(handle obj, unsigned *r, unsigned *g, unsigned *b, unsigned *a);
    int (*object_bounds)(handle obj, float *left, float *bottom, float *right, float *top);
    int (*draw_mode)(handle obj, int *fill_mode, int *stroke);
    int (*form_count)(handle form);
    handle (*form_object)(handle form, unsigned long index);
    int (*loose_char_box)(handle textpage, int index, fs_rectf *box);
} pdfium;
static int bound = 0;

typedef struct {
    double m[6];
    int identity; /* the page itself: no form's matrix applies (_pdf.py's `outer is _IDENTITY`) */
} matrix;

/* A painted shape's bounds and fill colour; has_colour 0 for an image or pattern. */
typedef struct {
    double left, bottom, right, top;
    int has_colour;
    unsigned r, g, b;
} shape;

typedef struct {
    size_t *items; /* indices into judge.painted, in painting order */
    size_t len, cap;
} band;

typedef struct {
    double left, bottom, right, top; /* the visible page box */
    shape *painted;
    size_t painted_len, painted_cap;
    band *bands;
    size_t band_count;
    double low, high;
    unsigned *backgrounds; /* colours painted so far as 0xRRGGBB; white (the page) first */
    size_t backgrounds_len, backgrounds_cap;
    /* the last fill colour asked about, and whether it is near a background, while the
       background list has the length it had then */
    unsigned cached_colour;
    size_t cached_for;
    int cached_near;
    PyObject *hidden; /* dict: handle -> reason code */
} judge;

static int grow(void **items, size_t *cap, size_t len, size_t size) {
    if (len < *cap) return 0;
    size_t wanted = *cap ? *cap * 2 : 16;
    void *grown = realloc(*items, wanted * size);
    if (!grown) {
        PyErr_NoMemory();
        return -1;
    }
    *items = grown;
    *cap = wanted;
    return 0;
}

static double channel(unsigned value, int shift) { return ((value >> shift) & 0xFF) / 255.0; }

static int near(unsigned a, unsigned b) {
    for (int shift = 0; shift <= 16; shift += 8) {
        if (!(fabs(channel(a, shift) - channel(b, shift)) < BACKGROUND_TOLERANCE)) return 0;
    }
    return 1;
}

static unsigned pack(unsigned r, unsigned g, unsigned b) {
    return ((r & 0xFF) << 16) | ((g & 0xFF) << 8) | (b & 0xFF);
}

/* a x b, as _pdf.py's _multiply */
static matrix multiply(const double *a, const double *b) {
    matrix out = {{a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                   a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
                   a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]},
                  0};
    return out;
}

static matrix object_matrix(handle obj) {
    fs_matrix m;
    matrix out = {{1, 0, 0, 1, 0, 0}, 1};
    if (pdfium.object_matrix(obj, &m)) {
        double values[6] = {m.a, m.b, m.c, m.d, m.e, m.f};
        for (int i = 0; i < 6; i++) out.m[i] = values[i];
        out.identity = 0;
    }
    return out;
}

/* The band holding y; the caller has checked low <= y < high. */
static size_t band_of(const judge *j, double y) {
    double index = floor((y - j->low) / BAND_PT);
    if (index < 0) return 0;
    if (index >= (double)j->band_count) return j->band_count - 1;
    return (size_t)index;
}

/* Python's min()/max() over four values: the first, replaced only by a strictly smaller
   (larger) one, so NaN handling matches the Python judge. */
static double first_min(const double *v) {
    double out = v[0];
    for (int i = 1; i < 4; i++)
        if (v[i] < out) out = v[i];
    return out;
}

static double first_max(const double *v) {
    double out = v[0];
    for (int i = 1; i < 4; i++)
        if (v[i] > out) out = v[i];
    return out;
}

/* The object's bounds in page space; 0 where PDFium has none. */
static int box_of(handle obj, const matrix *outer, shape *out) {
    float left, bottom, right, top;
    if (!pdfium.object_bounds(obj, &left, &bottom, &right, &top)) return 0;
    if (outer->identity) {
        out->left = left, out->bottom = bottom, out->right = right, out->top = top;
        return 1;
    }
    const double *m = outer->m;
    double xs[4], ys[4], px[2] = {left, right}, py[2] = {bottom, top};
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 2; k++) {
            xs[i * 2 + k] = m[0] * px[i] + m[2] * py[k] + m[4];
            ys[i * 2 + k] = m[1] * px[i] + m[3] * py[k] + m[5];
        }
    }
    out->left = first_min(xs), out->bottom = first_min(ys);
    out->right = first_max(xs), out->top = first_max(ys);
    return 1;
}

static int paint(judge *j, shape s) {
    if (grow((void **)&j->painted, &j->painted_cap, j->painted_len, sizeof(shape))) return -1;
    size_t index = j->painted_len++;
    j->painted[index] = s;
    /* a NaN bound contains no point; infinite bounds reach the first or last band */
    if (!(s.bottom < j->high && s.top >= j->low)) return 0;
    if (j->band_count) {
        size_t first = s.bottom <= j->low ? 0 : band_of(j, s.bottom);
        size_t last = s.top < j->high ? band_of(j, s.top) : j->band_count - 1;
        for (size_t k = first; k <= last; k++) {
            band *b = &j->bands[k];
            if (grow((void **)&b->items, &b->cap, b->len, sizeof(size_t))) return -1;
            b->items[b->len++] = index;
        }
    }
    if (s.has_colour) {
        unsigned colour = pack(s.r, s.g, s.b);
        for (size_t k = 0; k < j->backgrounds_len; k++)
            if (j->backgrounds[k] == colour) return 0;
        if (grow((void **)&j->backgrounds, &j->backgrounds_cap, j->backgrounds_len,
                 sizeof(unsigned)))
            return -1;
        j->backgrounds[j->backgrounds_len++] = colour;
    }
    return 0;
}

/* The colour of the last shape painted under (x, y): 1 with *colour set, 0 for an image or
   pattern (unknown colour); white where nothing was painted. */
static int colour_beneath(const judge *j, double x, double y, unsigned *colour) {
    const shape *s;
    if (j->band_count && j->low <= y && y < j->high) {
        const band *b = &j->bands[band_of(j, y)];
        for (size_t k = b->len; k-- > 0;) {
            s = &j->painted[b->items[k]];
            if (s->left <= x && x <= s->right && s->bottom <= y && y <= s->top) goto found;
        }
    } else {
        for (size_t k = j->painted_len; k-- > 0;) {
            s = &j->painted[k];
            if (s->left <= x && x <= s->right && s->bottom <= y && y <= s->top) goto found;
        }
    }
    *colour = 0xFFFFFF;
    return 1;
found:
    *colour = pack(s->r, s->g, s->b);
    return s->has_colour;
}

static int near_background(judge *j, unsigned colour) {
    if (j->cached_for == j->backgrounds_len && j->cached_colour == colour) return j->cached_near;
    int found = 0;
    for (size_t k = 0; k < j->backgrounds_len && !found; k++)
        found = near(colour, j->backgrounds[k]);
    j->cached_colour = colour, j->cached_for = j->backgrounds_len, j->cached_near = found;
    return found;
}

static int text_verdict(judge *j, handle obj, const matrix *outer) {
    int mode = pdfium.render_mode(obj);
    if (mode == MODE_INVISIBLE || mode == MODE_CLIP) return REASON_INVISIBLE_RENDER;
    matrix own = object_matrix(obj);
    const double *m = own.m;
    matrix combined;
    if (!outer->identity) {
        combined = multiply(own.m, outer->m);
        m = combined.m;
    }
    float size = 0;
    double font_size = pdfium.font_size(obj, &size) ? size : 0.0;
    double effective = fabs(font_size * hypot(m[2], m[3]));
    if (0 < effective && effective < TINY_FONT_PT) return REASON_TINY_FONT;
    double x = m[4], y = m[5];
    if (!(j->left - OFF_PAGE_MARGIN <= x && x <= j->right + OFF_PAGE_MARGIN))
        return REASON_OFF_PAGE;
    if (!(j->bottom - OFF_PAGE_MARGIN <= y && y <= j->top + OFF_PAGE_MARGIN))
        return REASON_OFF_PAGE;
    if (!(mode == MODE_FILL || mode == MODE_FILL_STROKE || mode == MODE_FILL_CLIP ||
          mode == MODE_FILL_STROKE_CLIP))
        return 0;
    unsigned r, g, b, a;
    if (!pdfium.fill_colour(obj, &r, &g, &b, &a)) return 0; /* a pattern: colour unknown */
    if (a == 0) return REASON_INVISIBLE_RENDER;
    unsigned colour = pack(r, g, b), beneath;
    if (!near_background(j, colour)) return 0;
    if (colour_beneath(j, x, y + effective * 0.3, &beneath) && near(colour, beneath))
        return REASON_BACKGROUND_COLOUR;
    return 0;
}

static int paint_path(judge *j, handle obj, const matrix *outer) {
    int fill_mode = 0, stroke = 0;
    if (!pdfium.draw_mode(obj, &fill_mode, &stroke) || fill_mode == FILLMODE_NONE) return 0;
    shape s = {0};
    if (!box_of(obj, outer, &s)) return 0;
    unsigned r, g, b, a;
    if (!pdfium.fill_colour(obj, &r, &g, &b, &a)) return paint(j, s);
    if (a == 0) return 0; /* a transparent fill paints nothing */
    s.has_colour = 1, s.r = r, s.g = g, s.b = b;
    return paint(j, s);
}

static int visit(judge *j, handle *objects, size_t count, const matrix *outer, int depth);

static int visit_form(judge *j, handle form, const matrix *outer, int depth) {
    matrix own = object_matrix(form);
    matrix inner = multiply(own.m, outer->m);
    int count = pdfium.form_count(form);
    if (count <= 0) return 0;
    handle *objects = malloc((size_t)count * sizeof(handle));
    if (!objects) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < count; i++) objects[i] = pdfium.form_object(form, (unsigned long)i);
    int failed = visit(j, objects, (size_t)count, &inner, depth + 1);
    free(objects);
    return failed;
}

static int visit(judge *j, handle *objects, size_t count, const matrix *outer, int depth) {
    for (size_t i = 0; i < count; i++) {
        handle obj = objects[i];
        if (!obj) continue;
        int kind = pdfium.object_type(obj);
        if (kind == OBJ_TEXT) {
            int reason = text_verdict(j, obj, outer);
            if (reason) {
                PyObject *key = PyLong_FromVoidPtr(obj), *value = PyLong_FromLong(reason);
                int failed = !key || !value || PyDict_SetItem(j->hidden, key, value) < 0;
                Py_XDECREF(key);
                Py_XDECREF(value);
                if (failed) return -1;
            }
        } else if (kind == OBJ_PATH) {
            if (paint_path(j, obj, outer)) return -1;
        } else if (kind == OBJ_IMAGE || kind == OBJ_SHADING) {
            shape s = {0};
            if (box_of(obj, outer, &s) && paint(j, s)) return -1;
        } else if (kind == OBJ_FORM && depth < MAX_FORM_DEPTH) {
            if (visit_form(j, obj, outer, depth)) return -1;
        }
    }
    return 0;
}

static void release(judge *j) {
    for (size_t k = 0; k < j->band_count; k++) free(j->bands[k].items);
    free(j->bands);
    free(j->painted);
    free(j->backgrounds);
}

/* A PDFium handle passed as an int; NULL with an exception set where it is null or PDFium's
   functions are not bound yet. */
static handle bound_handle(PyObject *value) {
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "PDFium's functions are not bound (call bind first)");
        return NULL;
    }
    handle pointer = PyLong_AsVoidPtr(value);
    if (!pointer && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "the handle is null");
    return pointer;
}

static PyObject *hidden_objects(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *page_object;
    judge j = {0};
    if (!PyArg_ParseTuple(args, "Odddd", &page_object, &j.left, &j.bottom, &j.right, &j.top))
        return NULL;
    handle page = bound_handle(page_object);
    if (!page) return NULL;
    /* bands of the visible page, as _PageJudge.__init__ */
    double low = j.bottom - OFF_PAGE_MARGIN, high = j.top + OFF_PAGE_MARGIN;
    if (isfinite(low) && isfinite(high) && 0 < high - low && high - low <= MAX_BANDED_PT) {
        j.low = floor(low / BAND_PT) * BAND_PT;
        j.band_count = (size_t)floor((high - j.low) / BAND_PT) + 1;
        j.high = j.low + (double)j.band_count * BAND_PT;
        j.bands = calloc(j.band_count, sizeof(band));
        if (!j.bands) return PyErr_NoMemory();
    }
    PyObject *result = NULL;
    handle *objects = NULL;
    j.hidden = PyDict_New();
    if (!j.hidden) goto done;
    if (grow((void **)&j.backgrounds, &j.backgrounds_cap, 0, sizeof(unsigned))) goto done;
    j.backgrounds[j.backgrounds_len++] = 0xFFFFFF; /* the page is white */
    j.cached_for = (size_t)-1;
    int count = pdfium.count_objects(page);
    if (count > 0) {
        objects = malloc((size_t)count * sizeof(handle));
        if (!objects) {
            PyErr_NoMemory();
            goto done;
        }
        for (int i = 0; i < count; i++) objects[i] = pdfium.get_object(page, i);
        matrix identity = {{1, 0, 0, 1, 0, 0}, 1};
        if (visit(&j, objects, (size_t)count, &identity, 0)) goto done;
    }
    result = j.hidden;
    j.hidden = NULL;
done:
    Py_XDECREF(j.hidden);
    free(objects);
    release(&j);
    return result;
}

/* The glyph pairs of one line: how many, and the indices of those set a word gap apart. */
typedef struct {
    size_t pairs;
    Py_ssize_t *wide;
    size_t wide_len, wide_cap;
} text_line;

/* A line's wide gaps are word gaps unless most of its gaps are wide (letter-spaced text). */
static int flush_line(text_line *line, PyObject *gaps) {
    if (line->wide_len && (double)line->wide_len < LETTER_SPACED_SHARE * (double)line->pairs) {
        for (size_t k = 0; k < line->wide_len; k++) {
            PyObject *index = PyLong_FromSsize_t(line->wide[k]);
            int failed = !index || PyList_Append(gaps, index) < 0;
            Py_XDECREF(index);
            if (failed) return -1;
        }
    }
    line->pairs = line->wide_len = 0;
    return 0;
}

static PyObject *word_gaps(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *textpage_object, *text;
    if (!PyArg_ParseTuple(args, "OU", &textpage_object, &text)) return NULL;
    handle textpage = bound_handle(textpage_object);
    if (!textpage) return NULL;
    if (PyUnicode_GET_LENGTH(text) > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many characters for one text page");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t count = PyUnicode_GET_LENGTH(text);
    PyObject *gaps = PyList_New(0);
    if (!gaps) return NULL;
    text_line line = {0};
    int have_right = 0;
    double previous_right = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(ch)) {
            if ((ch == '\r' || ch == '\n') && flush_line(&line, gaps)) goto failed;
            have_right = 0;
            continue;
        }
        fs_rectf box;
        if (!pdfium.loose_char_box(textpage, (int)i, &box)) {
            have_right = 0;
            continue;
        }
        if (have_right) {
            double gap = (double)box.left - previous_right;
            double height = (double)box.top - (double)box.bottom;
            line.pairs++;
            if (gap > WORD_GAP_SHARE * height) {
                if (grow((void **)&line.wide, &line.wide_cap, line.wide_len, sizeof(Py_ssize_t)))
                    goto failed;
                line.wide[line.wide_len++] = i;
            }
        }
        previous_right = box.right;
        have_right = 1;
    }
    if (flush_line(&line, gaps)) goto failed;
    free(line.wide);
    return gaps;
failed:
    free(line.wide);
    Py_DECREF(gaps);
    return NULL;
}

static PyObject *bind(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *addresses;
    double tiny, tolerance, margin, band_height, max_banded, word_gap, letter_spaced;
    int max_depth;
    if (!PyArg_ParseTuple(args, "O!(dddddidd)", &PyTuple_Type, &addresses, &tiny, &tolerance,
                          &margin, &band_height, &max_banded, &max_depth, &word_gap,
                          &letter_spaced))
        return NULL;
    if (!(band_height > 0)) {
        PyErr_SetString(PyExc_ValueError, "the band height must be positive");
        return NULL;
    }
    const Py_ssize_t wanted = (Py_ssize_t)(sizeof(pdfium) / sizeof(void *));
    if (PyTuple_GET_SIZE(addresses) != wanted) {
        PyErr_Format(PyExc_ValueError, "expected %zd function addresses", wanted);
        return NULL;
    }
    void *table[sizeof(pdfium) / sizeof(void *)];
    for (Py_ssize_t i = 0; i < wanted; i++) {
        table[i] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(addresses, i));
        if (!table[i]) {
            if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "address %zd is null", i);
            return NULL;
        }
    }
    memcpy(&pdfium, table, sizeof(pdfium));
    TINY_FONT_PT = tiny, BACKGROUND_TOLERANCE = tolerance, OFF_PAGE_MARGIN = margin;
    BAND_PT = band_height, MAX_BANDED_PT = max_banded, MAX_FORM_DEPTH = max_depth;
    WORD_GAP_SHARE = word_gap, LETTER_SPACED_SHARE = letter_spaced;
    bound = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_VARARGS, "bind(addresses, thresholds): PDFium's functions, the limits."},
    {"hidden_objects", hidden_objects, METH_VARARGS,
     "hidden_objects(page, left, bottom, right, top) -> {text object handle: reason code}"},
    {"word_gaps", word_gaps, METH_VARARGS,
     "word_gaps(textpage, text) -> indices of the characters a word gap precedes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_glyphs", "The PDF reader's hidden-text judge and word-gap pass, in C.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__glyphs(void) { return PyModule_Create(&module); }
