// Independent truth for Go: go/parser + go/ast for statements, go/types for def-use.
// stdin: JSON lines {key, lang, segments: [{start, text}]}; stdout: one line {key, segments: [SegOut]} per input
// line, in order. Offsets: code points relative to the segment text. Rules: tools/truth/README.md.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

type segIn struct {
	Start int    `json:"start"`
	Text  string `json:"text"`
}

type recIn struct {
	Key      string  `json:"key"`
	Lang     string  `json:"lang"`
	Segments []segIn `json:"segments"`
}

type segOut struct {
	Ok             bool     `json:"ok"`
	Error          string   `json:"error,omitempty"`
	Wrap           string   `json:"wrap,omitempty"`
	Simple         [][3]any `json:"simple"`
	Compound       [][3]any `json:"compound"`
	Clauses        [][3]any `json:"clauses"`
	Fields         [][3]any `json:"fields"`
	Bindings       [][2]int `json:"bindings"`
	MemberBindings [][2]int `json:"member_bindings"`
}

type recOut struct {
	Key      string `json:"key"`
	Segments []any  `json:"segments"`
}

var fset = token.NewFileSet()
var imp = importer.ForCompiler(fset, "source", nil)

const wrapPkg = "package main\n"
const wrapFunc = "package main\nfunc __f() {\n"

func parse(text string) (*ast.File, string, int, error) {
	f, err := parser.ParseFile(fset, "s.go", text, parser.ParseComments)
	if err == nil {
		return f, "", 0, nil
	}
	if strings.HasPrefix(strings.TrimSpace(text), "package ") {
		return nil, "", 0, err
	}
	if f2, err2 := parser.ParseFile(fset, "s.go", wrapPkg+text, parser.ParseComments); err2 == nil {
		return f2, "package", len(wrapPkg), nil
	}
	if f3, err3 := parser.ParseFile(fset, "s.go", wrapFunc+text+"\n}\n", parser.ParseComments); err3 == nil {
		return f3, "func", len(wrapFunc), nil
	}
	return nil, "", 0, err
}

type errOut struct {
	Ok    bool   `json:"ok"`
	Error string `json:"error"`
}

func analyze(text string) any {
	f, wrap, shift, err := parse(text)
	if err != nil {
		n := 1
		if l, ok := err.(scanner.ErrorList); ok {
			n = len(l)
		}
		msg := err.Error()
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return errOut{Ok: false, Error: fmt.Sprintf("%d syntax error(s): %s", n, msg)}
	}
	// byte offset (in the wrapped source) -> code point of the segment text
	cps := make([]int, len(text)+1)
	c := 0
	for i := 0; i < len(text); {
		_, w := utf8.DecodeRuneInString(text[i:])
		for k := 0; k < w; k++ {
			cps[i+k] = c
		}
		i += w
		c++
	}
	cps[len(text)] = c
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int {
		o := tf.Offset(p) - shift
		if o < 0 {
			o = 0
		}
		if o > len(text) {
			o = len(text)
		}
		return cps[o]
	}
	src := strings.Repeat(" ", shift) + text
	out := segOut{Ok: true, Wrap: wrap, Simple: [][3]any{}, Compound: [][3]any{}, Clauses: [][3]any{},
		Fields: [][3]any{}, Bindings: [][2]int{}, MemberBindings: [][2]int{}}
	header := map[ast.Stmt]bool{} // init / post statements of if, for, switch headers
	simple := func(n ast.Node, kind string) {
		out.Simple = append(out.Simple, [3]any{off(n.Pos()), off(n.End()), kind})
	}
	compound := func(n ast.Node, lbrace token.Pos, kind string) {
		out.Compound = append(out.Compound, [3]any{off(n.Pos()), off(lbrace + 1), kind})
	}
	var elseClause func(s *ast.IfStmt)
	elseClause = func(s *ast.IfStmt) {
		if s.Else == nil {
			return
		}
		from := tf.Offset(s.Body.Rbrace) + 1
		to := tf.Offset(s.Else.Pos())
		i := strings.Index(src[from:to], "else")
		if i < 0 {
			return
		}
		kw := fset.File(f.Pos()).Pos(from + i)
		var h token.Pos
		switch e := s.Else.(type) {
		case *ast.BlockStmt:
			h = e.Lbrace + 1
		case *ast.IfStmt:
			h = e.Body.Lbrace + 1
		}
		out.Clauses = append(out.Clauses, [3]any{off(kw), off(h), "else"})
	}
	typeDecl := func(d *ast.GenDecl) bool {
		if d.Tok != token.TYPE || len(d.Specs) != 1 || d.Lparen.IsValid() {
			return false
		}
		ts := d.Specs[0].(*ast.TypeSpec)
		switch t := ts.Type.(type) {
		case *ast.StructType:
			compound(d, t.Fields.Opening, "struct")
		case *ast.InterfaceType:
			compound(d, t.Methods.Opening, "interface")
		default:
			return false
		}
		return true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.FuncDecl:
			if wrap == "func" && s.Name.Name == "__f" {
				return true
			}
			if s.Body != nil {
				compound(s, s.Body.Lbrace, "FuncDecl")
			} else {
				simple(s, "FuncDecl")
			}
		case *ast.FuncLit:
			compound(s, s.Body.Lbrace, "FuncLit")
		case *ast.GenDecl:
			if !typeDecl(s) {
				if _, inFunc := parentIsDeclStmt[s]; !inFunc {
					simple(s, "GenDecl")
				}
			}
		case *ast.DeclStmt:
			if g, ok := s.Decl.(*ast.GenDecl); ok {
				parentIsDeclStmt[g] = struct{}{}
				if !typeDecl(g) {
					simple(s, "DeclStmt")
				}
			}
		case *ast.StructType:
			for _, fl := range s.Fields.List {
				out.Fields = append(out.Fields, [3]any{off(fl.Pos()), off(fl.End()), "Field"})
			}
		case *ast.IfStmt:
			header[s.Init] = true
			compound(s, s.Body.Lbrace, "IfStmt")
			elseClause(s)
		case *ast.ForStmt:
			header[s.Init], header[s.Post] = true, true
			compound(s, s.Body.Lbrace, "ForStmt")
		case *ast.RangeStmt:
			compound(s, s.Body.Lbrace, "RangeStmt")
		case *ast.SwitchStmt:
			header[s.Init] = true
			compound(s, s.Body.Lbrace, "SwitchStmt")
		case *ast.TypeSwitchStmt:
			header[s.Init], header[s.Assign] = true, true
			compound(s, s.Body.Lbrace, "TypeSwitchStmt")
		case *ast.SelectStmt:
			compound(s, s.Body.Lbrace, "SelectStmt")
		case *ast.CaseClause:
			kind := "case"
			if s.List == nil {
				kind = "default"
			}
			out.Clauses = append(out.Clauses, [3]any{off(s.Pos()), off(s.Colon + 1), kind})
		case *ast.CommClause:
			kind := "case"
			if s.Comm == nil {
				kind = "default"
			}
			out.Clauses = append(out.Clauses, [3]any{off(s.Pos()), off(s.Colon + 1), kind})
		case *ast.ExprStmt, *ast.AssignStmt, *ast.ReturnStmt, *ast.BranchStmt, *ast.IncDecStmt, *ast.SendStmt,
			*ast.GoStmt, *ast.DeferStmt:
			if !header[s.(ast.Stmt)] {
				simple(s, strings.TrimPrefix(fmt.Sprintf("%T", s), "*ast."))
			}
		}
		return true
	})
	for k := range parentIsDeclStmt {
		delete(parentIsDeclStmt, k)
	}
	// def-use: go/types over the (wrapped) file; type errors (unresolved imports, unused vars) are ignored
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp, Error: func(error) {}}
	pkg, _ := conf.Check("main", fset, []*ast.File{f}, info)
	member := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch e := n.(type) {
		case *ast.SelectorExpr:
			member[e.Sel] = true
		case *ast.CompositeLit:
			for _, el := range e.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						member[id] = true
					}
				}
			}
		}
		return true
	})
	for id, obj := range info.Uses {
		if obj == nil || !obj.Pos().IsValid() || obj.Pkg() != pkg || fset.File(obj.Pos()) != tf {
			continue
		}
		d := tf.Offset(obj.Pos()) - shift
		if d < 0 || d > len(text) {
			continue
		}
		pair := [2]int{cps[d], off(id.Pos())}
		if _, isVar := obj.(*types.Var); member[id] && isVar || member[id] && isMethod(obj) {
			out.MemberBindings = append(out.MemberBindings, pair)
		} else {
			out.Bindings = append(out.Bindings, pair)
		}
	}
	for _, l := range [][][2]int{out.Bindings, out.MemberBindings} {
		sort.Slice(l, func(i, j int) bool { return l[i][1] < l[j][1] || l[i][1] == l[j][1] && l[i][0] < l[j][0] })
	}
	return out
}

var parentIsDeclStmt = map[*ast.GenDecl]struct{}{}

func isMethod(o types.Object) bool {
	f, ok := o.(*types.Func)
	return ok && f.Type().(*types.Signature).Recv() != nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		line := in.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var r recIn
		if err := json.Unmarshal(line, &r); err != nil {
			fmt.Fprintln(os.Stderr, "go-truth: bad input line:", err)
			os.Exit(2)
		}
		o := recOut{Key: r.Key, Segments: []any{}}
		for _, s := range r.Segments {
			o.Segments = append(o.Segments, analyze(s.Text))
		}
		if err := enc.Encode(o); err != nil {
			panic(err)
		}
	}
}
