package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/sheet"
	"kox/internal/web/components"
)

// formReader reads a posted form's typed values; what cannot be read (a
// number that is not one) is named on its field, for the form to show
// beside the service's own refusals.
type formReader struct {
	v   url.Values
	loc *time.Location
	bad fault.Fields
}

func (q *request) form(loc *time.Location) *formReader {
	_ = q.r.ParseForm()
	return &formReader{v: q.r.PostForm, loc: loc}
}

func (f *formReader) str(name string) string { return strings.TrimSpace(f.v.Get(name)) }

// int is a whole number (0 when empty).
func (f *formReader) int(name string) int64 {
	s := strings.ReplaceAll(f.str(name), ",", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.bad.Add(name, "number", "must be a whole number")
	}
	return n
}

// money is an amount typed in yuan, in fen.
func (f *formReader) money(name string) int64 {
	fen, ok := i18n.ParseMoney(f.v.Get(name))
	if !ok {
		f.bad.Add(name, "money", "must be an amount such as 1,234.50")
	}
	return fen
}

// when is a date and time typed in the program's time zone.
func (f *formReader) when(name string) time.Time {
	s := f.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(dateInput, s, f.loc)
	if err != nil {
		f.bad.Add(name, "datetime", "must be a date and time")
	}
	return t
}

// yuanInput is fen as a money field shows it.
func yuanInput(fen int64) string {
	if fen == 0 {
		return ""
	}
	return strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(fen%100+100, 10)[1:]
}

// dayInput is a time as a datetime-local field shows it.
func dayInput(at time.Time, loc *time.Location) string {
	if at.IsZero() {
		return ""
	}
	return at.In(loc).Format(dateInput)
}

// refused is an action's refusal, to be shown on the page it was asked
// from: the form it came from, each field's error, and what else.
type refused struct {
	form    string
	fields  map[string]string
	general string
	status  int
}

// settle ends an action: to the next page when it went through; else its
// page again (show) with the refusal on the form it came from. A missing
// object is a page that does not exist; an error that is no refusal is the
// handler's.
func (q *request) settle(form string, err error, bad fault.Fields, to string, show func(*refused) error) error {
	if err == nil && bad.Err() == nil {
		return q.redirect(to)
	}
	status := http.StatusUnprocessableEntity
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound && len(fe.Fields) == 0 {
			return q.problem(err)
		}
		if len(fe.Fields) == 0 {
			status = statusOf(fe)
		}
	}
	fields, general := fieldErrors(components.Lang(q.ctx), err, bad)
	return show(&refused{form: form, fields: fields, general: general, status: status})
}

// apply puts the refusal on its form in v: each error on its field (one
// of several, as variants[2].label, on the field of them all), the rest
// above the form; with no such form, above the page.
func (r *refused) apply(v *components.RecordView) int {
	if r == nil {
		return http.StatusOK
	}
	general := r.general
	for i := range v.Forms {
		f := &v.Forms[i]
		if f.Test != r.form {
			continue
		}
		left := map[string]string{}
		for k, e := range r.fields {
			left[k] = e
		}
		fields := []*components.Field{}
		for j := range f.Fields {
			fields = append(fields, &f.Fields[j])
		}
		for _, row := range f.Grid {
			for j := range row {
				fields = append(fields, &row[j])
			}
		}
		for _, x := range fields {
			for k, e := range left {
				if k == x.Name || strings.HasPrefix(k, x.Name+"[") || strings.HasPrefix(k, x.Name+".") {
					x.Error = e
					delete(left, k)
				}
			}
		}
		for _, e := range left {
			general = strings.TrimPrefix(general+" — "+e, " — ")
		}
		f.Error = general
		return r.status
	}
	for _, e := range r.fields {
		general = strings.TrimPrefix(general+" — "+e, " — ")
	}
	v.Error = general
	return r.status
}

// upload reads the file posted as "file" (at most max bytes) and its
// spreadsheet format by its name.
func (q *request) upload(max int64) ([]byte, sheet.Format, error) {
	data, name, err := q.uploadFile(max)
	format := sheet.CSV
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		format = sheet.XLSX
	}
	return data, format, err
}

// uploadFile reads the file posted as "file" (at most max bytes) and the
// name it was sent under.
func (q *request) uploadFile(max int64) ([]byte, string, error) {
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, max+1<<20)
	file, hdr, err := q.r.FormFile("file")
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		return nil, "", fault.New(fault.Invalid, "import.too_big", "the file is larger than {max} MB", fault.P{"max": max >> 20})
	}
	if err != nil {
		return nil, "", fault.Field("file", "required", "is required")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return nil, "", err
	}
	return data, hdr.Filename, nil
}

// badFields are what could not be read of the form, none without one.
func (f *formReader) badFields() fault.Fields {
	if f == nil {
		return fault.Fields{}
	}
	return f.bad
}
