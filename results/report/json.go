package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes a document as one JSON object, indented by two spaces: the members of
// the parts without a key, each being its Meta, then "tables" (the Data of each section)
// and "problems" ({"path": …, "msg": …} each); then one member per part with a key,
// holding that part's object. Text is not escaped for HTML.
func WriteJSON(w io.Writer, d *Document) error {
	var top []Member
	for _, p := range d.Parts {
		if p.Key == "" {
			top = append(top, partMembers(p)...)
		}
	}
	for _, p := range d.Parts {
		if p.Key != "" {
			top = append(top, Member{Key: p.Key, Value: object(partMembers(p))})
		}
	}
	compact, err := object(top).MarshalJSON()
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

type jsonProblem struct {
	Path string `json:"path"`
	Msg  string `json:"msg"`
}

func partMembers(p *Part) []Member {
	tables := make([]any, 0, len(p.Sections))
	for _, s := range p.Sections {
		tables = append(tables, s.Data)
	}
	problems := make([]jsonProblem, 0, len(p.Problems))
	for _, pr := range p.Problems {
		problems = append(problems, jsonProblem(pr))
	}
	return append(append([]Member(nil), p.Meta...), Member{"tables", tables}, Member{"problems", problems})
}

// object is a JSON object whose members keep their order.
type object []Member

// MarshalJSON encodes the members in order, compactly and without escaping for HTML.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := encode(m.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := encode(m.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encode is json.Marshal without escaping for HTML.
func encode(v any) ([]byte, error) {
	if o, ok := v.(object); ok {
		return o.MarshalJSON()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
