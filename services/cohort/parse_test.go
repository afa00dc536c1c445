package cohort

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const header = "setting_reference,setting_name,track,variant,approval_date,applicant_name,applicant_email,supporter_email,supporter_name\n"

func TestParseGoodFile(t *testing.T) {
	file := "\uFEFF" + header +
		"100001,Oak Primary,caring_schools,primary,,Ann Head,Ann@Oak.example,,\n" +
		`FH-7,"Smith, household",learning_homes,first_year_foster,2026-01-15,Jo Smith,jo@home.example,sw@council.example,Sue Worker` + "\n" +
		"=cmd|' /C calc'!A0,\"=HYPERLINK(\"\"x\"\")\",learning_homes,childminder,,+Formula Person,f@x.example,sw@council.example,Sue Worker\r\n"
	rows, problems := Parse(strings.NewReader(file), now)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Line != 2 || r.ApplicantEmail != "ann@oak.example" || r.Track != "caring_schools" || r.Variant != "primary" || r.ApprovalDate != nil {
		t.Fatalf("row 1: %+v", r)
	}
	if r := rows[1]; r.Line != 3 || r.SettingName != "Smith, household" || r.ApprovalDate == nil || r.SupporterName != "Sue Worker" {
		t.Fatalf("row 2: %+v", r)
	}
	// A formula-looking value is text, kept exactly as given.
	if r := rows[2]; r.SettingReference != "=cmd|' /C calc'!A0" || r.SettingName != `=HYPERLINK("x")` || r.ApplicantName != "+Formula Person" {
		t.Fatalf("row 3: %+v", r)
	}
}

func TestParseColumnsInAnyOrderOptionalOnesLeftOut(t *testing.T) {
	file := "applicant_email,applicant_name,variant,track,setting_name,setting_reference\n" +
		"a@b.example,A B,secondary,caring_schools,High School,200002\n"
	rows, problems := Parse(strings.NewReader(file), now)
	if len(problems) > 0 || len(rows) != 1 || rows[0].SettingReference != "200002" || rows[0].Variant != "secondary" {
		t.Fatalf("%+v %v", rows, problems)
	}
}

// wantProblem is a problem expected: its line, column and a part of its message.
type wantProblem struct {
	Line    int
	Column  string
	Message string
}

func TestParseRefusesWithLineAndColumn(t *testing.T) {
	good := "100001,Oak,caring_schools,primary,,Ann,ann@oak.example,,"
	cases := []struct {
		name string
		file string
		want []wantProblem // line, column and a part of the message
	}{
		{"empty file", "", []wantProblem{{1, "", "header row"}}},
		{"header only", header, []wantProblem{{2, "", "no rows"}}},
		{"unknown column", "setting_reference,colour,setting_name,track,variant,applicant_name\n", []wantProblem{{1, "colour", "unknown column"}, {1, "applicant_email", "required column"}}},
		{"repeated column", strings.TrimSuffix(header, "\n") + ",track\n" + good + ",caring_schools\n", []wantProblem{{1, "track", "named twice"}}},
		{"missing value", header + ",Oak,caring_schools,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "setting_reference", "required"}}},
		{"unknown track", header + "1,Oak,caring,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "track", "caring"}}},
		{"variant of another track", header + "1,Oak,learning_homes,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "variant", ""}}},
		{"foster without a date", header + "1,Oak,learning_homes,first_year_foster,,Ann,ann@oak.example,,\n", []wantProblem{{2, "approval_date", "required"}}},
		{"bad date", header + "1,Oak,learning_homes,first_year_foster,15/01/2026,Ann,ann@oak.example,,\n", []wantProblem{{2, "approval_date", "YYYY-MM-DD"}}},
		{"future date", header + "1,Oak,learning_homes,first_year_foster,2027-01-01,Ann,ann@oak.example,,\n", []wantProblem{{2, "approval_date", "future"}}},
		{"date where none belongs", header + "1,Oak,caring_schools,primary,2026-01-01,Ann,ann@oak.example,,\n", []wantProblem{{2, "approval_date", "only first-year"}}},
		{"bad email", header + "1,Oak,caring_schools,primary,,Ann,Ann <ann@oak.example>,,\n", []wantProblem{{2, "applicant_email", "not an email"}}},
		{"bad supporter email", header + "1,Oak,caring_schools,primary,,Ann,ann@oak.example,nope,Sue\n", []wantProblem{{2, "supporter_email", "not an email"}}},
		{"supporter without a name", header + "1,Oak,caring_schools,primary,,Ann,ann@oak.example,s@x.example,\n", []wantProblem{{2, "supporter_name", "required"}}},
		{"supporter is the applicant", header + "1,Oak,caring_schools,primary,,Ann,ann@oak.example,ANN@oak.example,Ann\n", []wantProblem{{2, "supporter_email", "applicant's address"}}},
		{"control character", header + "1,Oak\x07,caring_schools,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "setting_name", "control"}}},
		{"line break in a quoted value", header + "1,\"Oak\nTree\",caring_schools,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "setting_name", ""}}},
		{"too long", header + "1," + strings.Repeat("x", MaxValueBytes+1) + ",caring_schools,primary,,Ann,ann@oak.example,,\n", []wantProblem{{2, "setting_name", "longer"}}},
		{"wrong number of values", header + good + "\n1,Oak\n" + strings.Replace(strings.Replace(good, "100001", "3", 1), "ann@", "cy@", 1) + "\n", []wantProblem{{3, "", "number of values"}}},
		{"bare quote", header + good + "\n1,O\"ak,caring_schools,primary,,Ann,x@oak.example,,\n", []wantProblem{{3, "", "quote"}}},
		{"repeated setting", header + good + "\n" + strings.Replace(good, "ann@", "bob@", 1) + "\n", []wantProblem{{3, "setting_reference", "line 2"}}},
		{"repeated applicant", header + good + "\n" + strings.Replace(good, "100001", "100002", 1) + "\n", []wantProblem{{3, "applicant_email", "line 2"}}},
		{"applicant elsewhere a supporter", header + "9,Elm,caring_schools,primary,,Sue,sue@x.example,ann@oak.example,Ann\n" + good + "\n", []wantProblem{{3, "applicant_email", "supporter on line 2"}}},
		{"three bad rows among good", header + good + "\n" +
			"2,,caring_schools,primary,,Bo,bo@x.example,,\n" +
			"3,Elm,caring_schools,primary,,Cy,cy@x.example,,\n" +
			"4,Ash,nope,primary,,Di,di@x.example,,\n" +
			"5,Fir,caring_schools,primary,,Ed,not-an-address,,\n",
			[]wantProblem{{3, "setting_name", "required"}, {5, "track", ""}, {6, "applicant_email", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, problems := Parse(strings.NewReader(c.file), now)
			if rows != nil {
				t.Fatalf("rows returned with problems: %+v", rows)
			}
			if len(problems) != len(c.want) {
				t.Fatalf("got %d problems %v, want %v", len(problems), problems, c.want)
			}
			for i, w := range c.want {
				got := problems[i]
				if got.Line != w.Line || got.Column != w.Column || !strings.Contains(got.Message, w.Message) {
					t.Errorf("problem %d: got %s, want line %d column %q containing %q", i, got, w.Line, w.Column, w.Message)
				}
			}
		})
	}
}

func TestParseNeverEchoesAValueInAMessage(t *testing.T) {
	secret := "private.person@home.example"
	file := header + "1,Oak,caring_schools,primary,,Ann," + secret + "x<>,,\n"
	_, problems := Parse(strings.NewReader(file), now)
	for _, p := range problems {
		if strings.Contains(p.Message, "private") {
			t.Fatalf("the message echoes the value: %s", p)
		}
	}
}

func TestParseRefusesMoreThanMaxRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range MaxRows + 1 {
		fmt.Fprintf(&b, "%d,S,caring_schools,primary,,A,a%d@x.example,,\n", i, i)
	}
	_, problems := Parse(strings.NewReader(b.String()), now)
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "more than") || problems[0].Line != MaxRows+2 {
		t.Fatalf("%v", problems)
	}
}

func TestProblemLinesCountsLinesNotProblems(t *testing.T) {
	if n := ProblemLines([]Problem{{Line: 2}, {Line: 2}, {Line: 5}}); n != 2 {
		t.Fatal(n)
	}
}

func TestParseListsAtMostMaxProblems(t *testing.T) {
	// A header of a million unknown columns, and a file of many bad rows.
	_, problems := Parse(strings.NewReader(strings.Repeat("x,", 1_000_000)+"x\n"), now)
	if len(problems) != MaxProblems || !strings.Contains(problems[MaxProblems-1].Message, "more problems") {
		t.Fatalf("%d problems, last %v", len(problems), problems[len(problems)-1])
	}
	var b strings.Builder
	b.WriteString(header)
	for i := range 1000 {
		fmt.Fprintf(&b, "%d,,,,,,,,\n", i)
	}
	_, problems = Parse(strings.NewReader(b.String()), now)
	if len(problems) != MaxProblems || !strings.Contains(problems[MaxProblems-1].Message, "more problems") {
		t.Fatalf("%d problems", len(problems))
	}
}
