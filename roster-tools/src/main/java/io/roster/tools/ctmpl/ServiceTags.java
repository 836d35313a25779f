package io.roster.tools.ctmpl;

import io.roster.tools.template.Template;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** consul-template's {@code ServiceTags}: a sorted list of tags with a {@code Contains} method ({@code .Tags.Contains "x"}). */
public final class ServiceTags extends ArrayList<String> implements Template.GoObject {
    private static final long serialVersionUID = 1L;

    ServiceTags(Collection<String> tags) {
        super(tags == null ? List.of() : tags);
        sort(null);
    }

    @Override
    public Object field(String name) throws NoSuchFieldException {
        throw new NoSuchFieldException(name);
    }

    @Override
    public Object method(String name, List<Object> args) throws Exception {
        if (name.equals("Contains") && args.size() == 1) {
            return contains(args.get(0));
        }
        throw new NoSuchMethodException(name);
    }
}
