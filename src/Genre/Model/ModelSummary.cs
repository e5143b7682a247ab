using System.Text;

namespace Genre.Model;

/// <summary>Keras' model.summary() table, computed from the architecture alone.</summary>
public static class ModelSummary
{
    public static string Render(Architecture arch)
    {
        var shapes = arch.Shapes();
        var parameters = arch.ParameterCounts();
        var sb = new StringBuilder();
        string rule = new('_', 65), doubleRule = new('=', 65);
        sb.AppendLine($"Model: \"{arch.Name}\"");
        sb.AppendLine(rule);
        sb.AppendLine($"{"Layer (type)",-29}{"Output Shape",-26}{"Param #",10}");
        sb.AppendLine(doubleRule);
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var layer = arch.Layers[i];
            string type = layer switch
            {
                ConvSpec => "Conv2D", MaxPoolSpec => "MaxPooling2D", DropoutSpec => "Dropout", FlattenSpec => "Flatten", DenseSpec => "Dense",
                ConvBnSpec => "Conv2D+BatchNorm", ResidualSpec => "ResidualBlock", GlobalPoolSpec => "GlobalPool", _ => "?",
            };
            sb.AppendLine($"{$"{layer.Name} ({type})",-29}{shapes[i],-26}{parameters[i],10:N0}");
            sb.AppendLine(i == arch.Layers.Count - 1 ? doubleRule : "");
        }
        long total = arch.TotalParameters;
        sb.AppendLine($"Total params: {total:N0} ({total * 4 / 1024.0 / 1024.0:F2} MB)");
        sb.AppendLine($"Trainable params: {total:N0}");
        sb.AppendLine("Non-trainable params: 0");
        sb.AppendLine(rule);
        return sb.ToString();
    }
}
