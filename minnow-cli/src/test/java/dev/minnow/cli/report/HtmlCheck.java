package dev.minnow.cli.report;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lenient well-formedness check for the report page (not a full HTML parser): every element
 * other than the void ones is closed in order, script and style bodies are skipped, and every
 * '&' in text or attributes starts an entity. Returns the first problem, or null.
 */
public final class HtmlCheck {
    private static final Set<String> VOID = Set.of("meta", "br", "img", "input", "link", "hr", "col", "area", "base",
            "wbr", "source");
    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);");

    private HtmlCheck() {
    }

    public static String problem(String html) {
        String s = html.startsWith("<!DOCTYPE html>") ? html.substring("<!DOCTYPE html>".length()) : html;
        Deque<String> open = new ArrayDeque<>();
        int pos = 0;
        Matcher m = TAG.matcher(s);
        while (pos < s.length()) {
            int lt = s.indexOf('<', pos);
            String text = s.substring(pos, lt < 0 ? s.length() : lt);
            String bad = ampersands(text);
            if (bad != null) {
                return "unescaped '&' in text near: " + bad;
            }
            if (text.contains(">")) {
                return "stray '>' in text near: " + text.substring(Math.max(0, text.indexOf('>') - 40),
                        text.indexOf('>') + 1);
            }
            if (lt < 0) {
                break;
            }
            if (!m.find(lt) || m.start() != lt) {
                return "unescaped '<' or broken tag at: " + s.substring(lt, Math.min(s.length(), lt + 60));
            }
            String name = m.group(2).toLowerCase(Locale.ROOT);
            String attrs = m.group(3);
            bad = ampersands(attrs);
            if (bad != null) {
                return "unescaped '&' in an attribute of <" + name + ">: " + bad;
            }
            pos = m.end();
            if (m.group(1).isEmpty()) {
                if (name.equals("script") || name.equals("style")) {
                    int end = s.toLowerCase(Locale.ROOT).indexOf("</" + name + ">", pos);
                    if (end < 0) {
                        return "<" + name + "> never closed";
                    }
                    pos = end + name.length() + 3;
                } else if (!VOID.contains(name) && !attrs.endsWith("/")) {
                    open.push(name);
                }
            } else {
                if (open.isEmpty() || !open.peek().equals(name)) {
                    return "</" + name + "> closes " + (open.isEmpty() ? "nothing" : "<" + open.peek() + ">");
                }
                open.pop();
            }
        }
        return open.isEmpty() ? null : "not closed: " + open;
    }

    private static String ampersands(String text) {
        for (int i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
            if (!ENTITY.matcher(text).region(i, text.length()).lookingAt()) {
                return text.substring(Math.max(0, i - 30), Math.min(text.length(), i + 30));
            }
        }
        return null;
    }
}
