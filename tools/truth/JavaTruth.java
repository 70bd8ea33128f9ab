// Independent truth for Java: the javac Tree API (parse + attribute), one JVM for all inputs, one task per segment.
// stdin: JSON lines {key, lang, segments: [{start, text}]}; stdout: one line {key, segments: [SegOut]} per input
// line, in order. Offsets: code points relative to the segment text. Rules: tools/truth/README.md.
// Build: javac -d <dir> tools/truth/JavaTruth.java; run: java -cp <dir> JavaTruth

import com.sun.source.tree.*;
import com.sun.source.util.*;
import java.io.*;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.*;
import javax.lang.model.element.Element;
import javax.tools.*;

public class JavaTruth {
  static final String[] PREFIX = {"", "class __W {\n", "class __W { void __m() {\n"};
  static final String[] SUFFIX = {"", "\n}\n", "\n}}\n"};
  static final String[] WRAP = {"", "class", "method"};
  static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();
  static final List<String> OPTS =
      List.of("-proc:none", "-Xlint:none", "-Xjcov", "-XDshould-stop.ifError=FLOW", "-XDshould-stop.ifNoError=FLOW");

  static final class Src extends SimpleJavaFileObject {
    final String text;

    Src(String text) {
      super(URI.create("string:///S.java"), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignore) {
      return text;
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    StandardJavaFileManager fm = JAVAC.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      @SuppressWarnings("unchecked")
      Map<String, Object> rec = (Map<String, Object>) new Json(line).value();
      StringBuilder sb = new StringBuilder("{\"key\":").append(Json.str((String) rec.get("key")));
      sb.append(",\"segments\":[");
      List<?> segs = (List<?>) rec.get("segments");
      for (int i = 0; i < segs.size(); i++) {
        String text = (String) ((Map<?, ?>) segs.get(i)).get("text");
        if (i > 0) sb.append(',');
        String r;
        try {
          r = analyze(fm, text);
        } catch (Throwable e) {
          r = "{\"ok\":false,\"error\":" + Json.str("JavaTruth: " + e) + "}";
          if (System.getenv("JAVATRUTH_DEBUG") != null) e.printStackTrace();
        }
        sb.append(r);
      }
      out.print(sb.append("]}\n"));
      out.flush();
    }
  }

  static String analyze(StandardJavaFileManager fm, String text) throws IOException {
    String firstError = null;
    int nErrors = 0;
    for (int w = 0; w < PREFIX.length; w++) {
      String src = PREFIX[w] + text + SUFFIX[w];
      DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
      JavacTask task = (JavacTask) JAVAC.getTask(null, fm, diags, OPTS, null, List.of(new Src(src)));
      Iterable<? extends CompilationUnitTree> units = task.parse();
      List<Diagnostic<? extends JavaFileObject>> errs = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics())
        if (d.getKind() == Diagnostic.Kind.ERROR) errs.add(d);
      if (!errs.isEmpty()) {
        if (w == 0) {
          nErrors = errs.size();
          firstError = errs.get(0).getPosition() + ": " + errs.get(0).getMessage(Locale.ROOT);
        }
        continue;
      }
      CompilationUnitTree cu = units.iterator().next();
      if (w > 0 && cu.getTypeDecls().isEmpty()) continue;
      try {
        task.analyze(); // attribution errors (missing imports, ...) are ignored: what resolved is kept
      } catch (Throwable ignored) {
        // a crash in attribution leaves whatever was attributed
      }
      return new Walker(task, cu, src, PREFIX[w].length(), text, WRAP[w]).run();
    }
    String msg = firstError == null ? "" : firstError.replace('\n', ' ');
    if (msg.length() > 200) msg = msg.substring(0, 200);
    return "{\"ok\":false,\"error\":" + Json.str(nErrors + " syntax error(s): " + msg) + "}";
  }

  static final class Walker extends TreePathScanner<Void, Void> {
    final Trees trees;
    final CompilationUnitTree cu;
    final SourcePositions sp;
    final String src;
    final int shift;
    final int textLen;
    final int[] cp;
    final String wrap;
    final List<long[]> simple = new ArrayList<>(), compound = new ArrayList<>(), clauses = new ArrayList<>();
    final List<long[]> fields = new ArrayList<>(), binds = new ArrayList<>(), members = new ArrayList<>();
    final List<String> simpleK = new ArrayList<>(), compoundK = new ArrayList<>(), clausesK = new ArrayList<>();
    final List<String> fieldsK = new ArrayList<>();
    final Set<Tree> header = Collections.newSetFromMap(new IdentityHashMap<>());
    final Map<String, Integer> imports = new HashMap<>(); // simple name → position of it in the import

    Walker(JavacTask task, CompilationUnitTree cu, String src, int shift, String text, String wrap) {
      this.trees = Trees.instance(task);
      this.cu = cu;
      this.sp = trees.getSourcePositions();
      this.src = src;
      this.shift = shift;
      this.textLen = text.length();
      this.wrap = wrap;
      cp = new int[text.length() + 1];
      int c = 0;
      for (int i = 0; i < text.length(); i++) {
        cp[i] = c;
        if (Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) cp[++i] = c;
        c++;
      }
      cp[text.length()] = c;
    }

    /** Code point of a source position, or -1 outside the segment text (the wrapper). */
    int at(long p) {
      long q = p - shift;
      return p < 0 || q < 0 || q > textLen ? -1 : cp[(int) q];
    }

    long start(Tree t) {
      return sp.getStartPosition(cu, t);
    }

    long end(Tree t) {
      return sp.getEndPosition(cu, t);
    }

    int skipWs(int i) {
      for (;;) {
        while (i < src.length() && Character.isWhitespace(src.charAt(i))) i++;
        if (src.startsWith("//", i)) {
          int j = src.indexOf('\n', i);
          i = j < 0 ? src.length() : j;
        } else if (src.startsWith("/*", i)) {
          int j = src.indexOf("*/", i + 2);
          i = j < 0 ? src.length() : j + 2;
        } else return i;
      }
    }

    long withSemi(long e) {
      if (e < 0) return e;
      if (e > 0 && src.charAt((int) e - 1) == ';') return e;
      int j = skipWs((int) e);
      return j < src.length() && src.charAt(j) == ';' ? j + 1 : e;
    }

    void add(List<long[]> l, List<String> kinds, long s, long e, String k) {
      int a = at(s), b = at(e);
      if (a < 0 || b < 0) return;
      l.add(new long[] {a, b});
      kinds.add(k);
    }

    long afterBlock(Tree body, long fallback) {
      return body instanceof BlockTree ? start(body) + 1 : fallback;
    }

    long parenBefore(Tree body) {
      int k = (int) start(body) - 1;
      while (k >= 0 && Character.isWhitespace(src.charAt(k))) k--;
      return k >= 0 && src.charAt(k) == ')' ? k + 1 : start(body);
    }

    /** Position of keyword `kw` (a whole word) in [from, to), the last one, or -1. */
    long keyword(long from, long to, String kw) {
      String s = src.substring((int) from, (int) to);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + kw + "\\b").matcher(s);
      long r = -1;
      while (m.find()) r = from + m.start();
      return r;
    }

    String run() {
      scan(cu, null);
      StringBuilder sb = new StringBuilder("{\"ok\":true");
      if (!wrap.isEmpty()) sb.append(",\"wrap\":\"").append(wrap).append('"');
      spans(sb, "simple", merge(simple, simpleK), simpleK);
      spans(sb, "compound", compound, compoundK);
      spans(sb, "clauses", clauses, clausesK);
      spans(sb, "fields", merge(fields, fieldsK), fieldsK);
      pairs(sb, "bindings", binds);
      pairs(sb, "member_bindings", members);
      return sb.append('}').toString();
    }

    /** Declarators sharing a start (`int a, b;`) are one statement. */
    static List<long[]> merge(List<long[]> l, List<String> kinds) {
      List<long[]> out = new ArrayList<>();
      List<String> ok = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        long[] x = l.get(i);
        if (!out.isEmpty() && out.get(out.size() - 1)[0] == x[0]) {
          long[] y = out.get(out.size() - 1);
          y[1] = Math.max(y[1], x[1]);
        } else {
          out.add(x);
          ok.add(kinds.get(i));
        }
      }
      kinds.clear();
      kinds.addAll(ok);
      return out;
    }

    static void spans(StringBuilder sb, String name, List<long[]> l, List<String> k) {
      sb.append(",\"").append(name).append("\":[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append('[').append(l.get(i)[0]).append(',').append(l.get(i)[1]).append(",\"").append(k.get(i)).append("\"]");
      }
      sb.append(']');
    }

    static void pairs(StringBuilder sb, String name, List<long[]> l) {
      l.sort((x, y) -> x[1] != y[1] ? Long.compare(x[1], y[1]) : Long.compare(x[0], y[0]));
      sb.append(",\"").append(name).append("\":[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append('[').append(l.get(i)[0]).append(',').append(l.get(i)[1]).append(']');
      }
      sb.append(']');
    }

    void simpleStmt(Tree t) {
      if (start(t) < 0 || end(t) < 0) return; // compiler-made (the implicit `super();` of a default constructor)
      add(simple, simpleK, start(t), withSemi(end(t)), t.getKind().name());
    }

    @Override
    public Void visitImport(ImportTree t, Void v) {
      simpleStmt(t);
      Tree q = t.getQualifiedIdentifier();
      if (!t.isStatic() && q instanceof MemberSelectTree) {
        String n = ((MemberSelectTree) q).getIdentifier().toString();
        if (!n.equals("*")) imports.put(n, (int) (end(q) - n.length()));
      }
      return null; // the import's own names are no uses
    }

    @Override
    public Void visitPackage(PackageTree t, Void v) {
      simpleStmt(t);
      return null;
    }

    @Override
    public Void visitClass(ClassTree t, Void v) {
      Tree parent = getCurrentPath().getParentPath().getLeaf();
      boolean anonymous = parent instanceof NewClassTree;
      if (!anonymous && !(wrap.length() > 0 && t.getSimpleName().contentEquals("__W"))) {
        long from = Math.max(start(t), end(t.getModifiers()));
        for (Tree x : t.getTypeParameters()) from = Math.max(from, end(x));
        if (t.getExtendsClause() != null) from = Math.max(from, end(t.getExtendsClause()));
        for (Tree x : t.getImplementsClause()) from = Math.max(from, end(x));
        int brace = src.indexOf('{', (int) from);
        if (brace >= 0) add(compound, compoundK, start(t), brace + 1, t.getKind().name());
      }
      for (Tree m : t.getMembers())
        if (m instanceof VariableTree && !isEnumConstant(m)) {
          add(fields, fieldsK, start(m), withSemi(end(m)), "FIELD");
          header.add(m);
        }
      return super.visitClass(t, v);
    }

    boolean isEnumConstant(Tree m) {
      Element e = trees.getElement(new TreePath(getCurrentPath(), m));
      return e != null && e.getKind() == javax.lang.model.element.ElementKind.ENUM_CONSTANT;
    }

    @Override
    public Void visitMethod(MethodTree t, Void v) {
      boolean wrapper = wrap.equals("method") && t.getName().contentEquals("__m");
      if (!wrapper && start(t) >= 0 && end(t) > start(t)) { // implicit default constructors have no position
        if (t.getBody() != null) add(compound, compoundK, start(t), start(t.getBody()) + 1, "METHOD");
        else simpleStmt(t);
      }
      for (Tree p : t.getParameters()) header.add(p);
      return super.visitMethod(t, v);
    }

    @Override
    public Void visitLambdaExpression(LambdaExpressionTree t, Void v) {
      for (Tree p : t.getParameters()) header.add(p);
      if (t.getBody() instanceof BlockTree) add(compound, compoundK, start(t), start(t.getBody()) + 1, "LAMBDA");
      return super.visitLambdaExpression(t, v);
    }

    @Override
    public Void visitVariable(VariableTree t, Void v) {
      if (!header.contains(t) && !(getCurrentPath().getParentPath().getLeaf() instanceof ClassTree)) {
        Tree parent = getCurrentPath().getParentPath().getLeaf();
        if (parent instanceof BlockTree || parent instanceof CaseTree) simpleStmt(t);
      }
      return super.visitVariable(t, v);
    }

    @Override
    public Void visitExpressionStatement(ExpressionStatementTree t, Void v) {
      if (!header.contains(t)) simpleStmt(t);
      return super.visitExpressionStatement(t, v);
    }

    @Override
    public Void visitReturn(ReturnTree t, Void v) {
      simpleStmt(t);
      return super.visitReturn(t, v);
    }

    @Override
    public Void visitBreak(BreakTree t, Void v) {
      simpleStmt(t);
      return super.visitBreak(t, v);
    }

    @Override
    public Void visitContinue(ContinueTree t, Void v) {
      simpleStmt(t);
      return super.visitContinue(t, v);
    }

    @Override
    public Void visitThrow(ThrowTree t, Void v) {
      simpleStmt(t);
      return super.visitThrow(t, v);
    }

    @Override
    public Void visitAssert(AssertTree t, Void v) {
      simpleStmt(t);
      return super.visitAssert(t, v);
    }

    @Override
    public Void visitYield(YieldTree t, Void v) {
      simpleStmt(t);
      return super.visitYield(t, v);
    }

    @Override
    public Void visitIf(IfTree t, Void v) {
      Tree then = t.getThenStatement();
      add(compound, compoundK, start(t), afterBlock(then, end(t.getCondition())), "IF");
      Tree el = t.getElseStatement();
      if (el != null) {
        long kw = keyword(end(then), start(el), "else");
        if (kw >= 0) {
          long h = el instanceof BlockTree ? start(el) + 1
              : el instanceof IfTree ? afterBlock(((IfTree) el).getThenStatement(), end(((IfTree) el).getCondition()))
              : kw + 4;
          add(clauses, clausesK, kw, h, "else");
        }
      }
      return super.visitIf(t, v);
    }

    @Override
    public Void visitForLoop(ForLoopTree t, Void v) {
      header.addAll(t.getInitializer());
      header.addAll(t.getUpdate());
      add(compound, compoundK, start(t), afterBlock(t.getStatement(), parenBefore(t.getStatement())), "FOR_LOOP");
      return super.visitForLoop(t, v);
    }

    @Override
    public Void visitEnhancedForLoop(EnhancedForLoopTree t, Void v) {
      header.add(t.getVariable());
      add(compound, compoundK, start(t), afterBlock(t.getStatement(), parenBefore(t.getStatement())), "FOREACH");
      return super.visitEnhancedForLoop(t, v);
    }

    @Override
    public Void visitWhileLoop(WhileLoopTree t, Void v) {
      add(compound, compoundK, start(t), afterBlock(t.getStatement(), end(t.getCondition())), "WHILE_LOOP");
      return super.visitWhileLoop(t, v);
    }

    @Override
    public Void visitDoWhileLoop(DoWhileLoopTree t, Void v) {
      add(compound, compoundK, start(t), afterBlock(t.getStatement(), start(t) + 2), "DO_WHILE_LOOP");
      return super.visitDoWhileLoop(t, v);
    }

    @Override
    public Void visitSwitch(SwitchTree t, Void v) {
      add(compound, compoundK, start(t), src.indexOf('{', (int) end(t.getExpression())) + 1, "SWITCH");
      return super.visitSwitch(t, v);
    }

    @Override
    public Void visitSwitchExpression(SwitchExpressionTree t, Void v) {
      add(compound, compoundK, start(t), src.indexOf('{', (int) end(t.getExpression())) + 1, "SWITCH_EXPRESSION");
      return super.visitSwitchExpression(t, v);
    }

    @Override
    public Void visitSynchronized(SynchronizedTree t, Void v) {
      add(compound, compoundK, start(t), start(t.getBlock()) + 1, "SYNCHRONIZED");
      return super.visitSynchronized(t, v);
    }

    @Override
    public Void visitTry(TryTree t, Void v) {
      header.addAll(t.getResources());
      add(compound, compoundK, start(t), start(t.getBlock()) + 1, "TRY");
      for (CatchTree c : t.getCatches()) {
        header.add(c.getParameter());
        add(clauses, clausesK, start(c), start(c.getBlock()) + 1, "catch");
      }
      if (t.getFinallyBlock() != null) {
        List<? extends CatchTree> cs = t.getCatches();
        long from = cs.isEmpty() ? end(t.getBlock()) : end(cs.get(cs.size() - 1));
        long kw = keyword(from, start(t.getFinallyBlock()), "finally");
        if (kw >= 0) add(clauses, clausesK, kw, start(t.getFinallyBlock()) + 1, "finally");
      }
      return super.visitTry(t, v);
    }

    @Override
    public Void visitCase(CaseTree t, Void v) {
      List<? extends ExpressionTree> ls = t.getExpressions();
      boolean dflt = ls.isEmpty();
      long from = dflt ? start(t) + 7 : end(ls.get(ls.size() - 1));
      int i = skipWs((int) from);
      long h = src.startsWith("->", i) ? i + 2 : src.charAt(i) == ':' ? i + 1 : -1;
      if (h > 0) add(clauses, clausesK, start(t), h, dflt ? "default" : "case");
      return super.visitCase(t, v);
    }

    /** Name position of a declaration tree (in src), or -1. */
    long namePos(Tree d, String name) {
      if (d instanceof VariableTree || d instanceof MethodTree) {
        long from = start(d);
        if (d instanceof VariableTree) {
          VariableTree vt = (VariableTree) d;
          from = Math.max(from, Math.max(end(vt.getModifiers()), vt.getType() == null ? -1 : end(vt.getType())));
        } else {
          MethodTree mt = (MethodTree) d;
          from = Math.max(from, end(mt.getModifiers()));
          for (Tree x : mt.getTypeParameters()) from = Math.max(from, end(x));
          if (mt.getReturnType() != null) from = Math.max(from, end(mt.getReturnType()));
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(name) + "\\b")
            .matcher(src);
        return from >= 0 && m.find((int) from) ? m.start() : -1;
      }
      if (d instanceof TypeParameterTree) return start(d);
      if (d instanceof ClassTree) {
        long from = Math.max(start(d), end(((ClassTree) d).getModifiers()));
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\\b(class|interface|enum|record|@\\s*interface)\\s+" + name + "\\b")
                .matcher(src);
        if (m.find((int) Math.max(0, from))) return m.end() - name.length();
      }
      return -1;
    }

    void use(Tree t, String name, long usePos, boolean member) {
      if (name.equals("this") || name.equals("super") || at(usePos) < 0) return;
      Element e = trees.getElement(getCurrentPath());
      TreePath dp = e == null ? null : trees.getPath(e);
      long d = -1;
      if (dp != null && dp.getCompilationUnit() == cu) d = namePos(dp.getLeaf(), name);
      else if (!member && imports.containsKey(name)
          && (e == null || e.asType().getKind() == javax.lang.model.type.TypeKind.ERROR
              || e.getKind().isClass() || e.getKind().isInterface())) d = imports.get(name);
      if (d < 0 || d == usePos || at(d) < 0) return;
      (member ? members : binds).add(new long[] {at(d), at(usePos)});
    }

    @Override
    public Void visitIdentifier(IdentifierTree t, Void v) {
      use(t, t.getName().toString(), start(t), false);
      return super.visitIdentifier(t, v);
    }

    @Override
    public Void visitMemberSelect(MemberSelectTree t, Void v) {
      String n = t.getIdentifier().toString();
      use(t, n, end(t) - n.length(), true);
      return super.visitMemberSelect(t, v);
    }
  }

  /** Minimal JSON reader (objects, arrays, strings, numbers, literals) for the input lines. */
  static final class Json {
    final String s;
    int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      ws();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        for (;;) {
          ws();
          String k = string();
          ws();
          i++; // ':'
          m.put(k, value());
          ws();
          if (s.charAt(i++) == '}') return m;
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        for (;;) {
          l.add(value());
          ws();
          if (s.charAt(i++) == ']') return l;
        }
      }
      if (c == '"') return string();
      int j = i;
      while (i < s.length() && "{}[],: \t\r\n".indexOf(s.charAt(i)) < 0) i++;
      String w = s.substring(j, i);
      if (w.equals("true")) return Boolean.TRUE;
      if (w.equals("false")) return Boolean.FALSE;
      if (w.equals("null")) return null;
      return Double.parseDouble(w);
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    String string() {
      StringBuilder b = new StringBuilder();
      i++;
      for (;;) {
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
          default: b.append(e);
        }
      }
    }

    static String str(String x) {
      StringBuilder b = new StringBuilder("\"");
      for (int k = 0; k < x.length(); k++) {
        char c = x.charAt(k);
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      return b.append('"').toString();
    }
  }
}
